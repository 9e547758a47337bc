// The team a hook runs for when its command names none: the Claude Code plugin's `team` option (Claude
// Code hands a plugin's userConfig to its hooks as CLAUDE_PLUGIN_OPTION_<KEY>), else $DISPATCH_TEAM.
export function teamFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  return env.CLAUDE_PLUGIN_OPTION_TEAM?.trim() || env.DISPATCH_TEAM?.trim() || undefined;
}

export const NO_TEAM = 'no team: give --team, set the plugin\'s "team" option, or set DISPATCH_TEAM';
