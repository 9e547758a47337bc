// What a hook prints for the model: the hosts' shared JSON (Claude Code, Codex and Gemini CLI all read
// `hookSpecificOutput.additionalContext`; Gemini shows nothing else, Claude Code shows plain prompt-hook
// stdout in the transcript). The event is the one the host ran the hook for.
export function hookContext(event: string, text: string) {
  return { hookSpecificOutput: { hookEventName: event, additionalContext: text } };
}

/** Cursor reads a sessionStart hook's stdout as JSON with `additional_context` (its own shape). */
export function cursorContext(text: string) {
  return { additional_context: text };
}
