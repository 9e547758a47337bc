// A stand-in for the model on 127.0.0.1: answers Anthropic Messages, OpenAI Responses and Gemini
// generateContent requests with a short text reply, and records every request body, so a test reads
// exactly what a real agent host gave the model. Nothing here judges; the tests do.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  method: string;
  url: string;
  body: string;
}

export interface ModelStub {
  url: string;
  requests: Recorded[];
  close(): Promise<void>;
}

const REPLY = 'OK.';

function sse(res: http.ServerResponse, events: Array<[string | undefined, unknown]>): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (const [event, data] of events) res.write(`${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`);
  res.end();
}

function anthropic(res: http.ServerResponse, stream: boolean): void {
  const usage = { input_tokens: 10, output_tokens: 2 };
  const message = { id: 'msg_stub', type: 'message', role: 'assistant', model: 'stub', content: [] as unknown[], stop_reason: null, usage };
  if (!stream) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ...message, content: [{ type: 'text', text: REPLY }], stop_reason: 'end_turn' }));
    return;
  }
  sse(res, [
    ['message_start', { type: 'message_start', message }],
    ['content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }],
    ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: REPLY } }],
    ['content_block_stop', { type: 'content_block_stop', index: 0 }],
    ['message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 2 } }],
    ['message_stop', { type: 'message_stop' }],
  ]);
}

function openaiResponses(res: http.ServerResponse): void {
  const item = { type: 'message', id: 'msg_stub', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: REPLY, annotations: [] }] };
  const response = { id: 'resp_stub', object: 'response', status: 'completed', model: 'm', output: [item] };
  sse(res, [
    ['response.created', { type: 'response.created', response: { ...response, status: 'in_progress', output: [] } }],
    ['response.output_item.done', { type: 'response.output_item.done', output_index: 0, item }],
    [
      'response.completed',
      {
        type: 'response.completed',
        response: {
          ...response,
          usage: {
            input_tokens: 10,
            output_tokens: 2,
            total_tokens: 12,
            input_tokens_details: { cached_tokens: 0 },
            output_tokens_details: { reasoning_tokens: 0 },
          },
        },
      },
    ],
  ]);
}

function gemini(res: http.ServerResponse, url: string, body: string): void {
  // The routing call asks for JSON with a complexity score; the session's own call gets the reply.
  const routing = /complexity/i.test(body) && /responseMimeType|response_mime_type|application\/json/.test(body);
  const text = routing ? JSON.stringify({ complexity_reasoning: 'simple', complexity_score: 1, reasoning: 'simple', model_choice: 'flash' }) : REPLY;
  const chunk = {
    candidates: [{ content: { role: 'model', parts: [{ text }] }, finishReason: 'STOP', index: 0 }],
    usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 2, totalTokenCount: 12 },
    modelVersion: 'stub',
  };
  if (url.includes(':streamGenerateContent')) return sse(res, [[undefined, chunk]]);
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(chunk));
}

export async function startModelStub(): Promise<ModelStub> {
  const requests: Recorded[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const url = req.url ?? '';
      requests.push({ method: req.method ?? '', url, body });
      if (req.method === 'POST' && url.startsWith('/v1/messages') && !url.includes('count_tokens')) {
        let stream = false;
        try {
          stream = !!(JSON.parse(body) as { stream?: boolean }).stream;
        } catch {
          // not JSON: answered as a plain message
        }
        return anthropic(res, stream);
      }
      if (req.method === 'POST' && url.includes('count_tokens')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ input_tokens: 10 }));
      }
      if (req.method === 'POST' && url.startsWith('/v1/responses')) return openaiResponses(res);
      if (req.method === 'POST' && /:(stream)?[gG]enerateContent/.test(url)) return gemini(res, url, body);
      if (req.method === 'POST' && url.includes(':countTokens')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ totalTokens: 10 }));
      }
      // Anything else (model lists, telemetry a host sends anyway): an empty answer, recorded.
      res.writeHead(url.includes('/models') ? 200 : 404, { 'content-type': 'application/json' });
      res.end(url.includes('/models') ? JSON.stringify({ data: [], models: [] }) : '{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
