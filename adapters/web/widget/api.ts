/**
 * The widget's HTTP client for the API of SPEC §6. Errors become a small typed value the element
 * turns into a French message; nothing here touches the DOM.
 */
import type { WebReply, WebTranscriptMessage } from '../render.js';

/** Why a request failed, in terms the visitor can be told about. */
export type ApiFailure =
  | 'not-found'
  | 'rate-limited'
  | 'too-long'
  | 'network'
  | 'server'
  /** 503: the service is coming back (its store is away); nothing was done, try again. */
  | 'unavailable';

/** A request outcome. */
export type ApiResult<T> =
  | { ok: true; value: T }
  | { ok: false; failure: ApiFailure; message?: string };

/** The endpoints the widget calls. */
export interface WidgetApi {
  create(body: {
    start?: string;
    town?: string;
  }): Promise<ApiResult<{ conversationId: string; messages: WebReply[] }>>;
  send(
    id: string,
    body: { text?: string; action?: string; clientMessageId: string },
  ): Promise<ApiResult<{ messages: WebReply[]; forgotten?: boolean }>>;
  transcript(id: string): Promise<ApiResult<{ messages: WebTranscriptMessage[] }>>;
  /** The town team's messages after `after` (issue 18), while a handover is open. */
  handoverMessages(
    id: string,
    after: number,
  ): Promise<
    ApiResult<{ handover: string; seq: number; messages: { seq: number; message: WebReply }[] }>
  >;
  erase(id: string): Promise<ApiResult<null>>;
}

function failureOf(status: number): ApiFailure {
  if (status === 404) return 'not-found';
  if (status === 429) return 'rate-limited';
  if (status === 400 || status === 413) return 'too-long';
  if (status === 503) return 'unavailable';
  return 'server';
}

/** Creates the client for an API base such as `https://assistant.ville.fr`. */
export function createWidgetApi(base: string): WidgetApi {
  const root = `${base.replace(/\/+$/, '')}/api/web/conversations`;

  async function call<T>(method: string, url: string, body?: unknown): Promise<ApiResult<T>> {
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        credentials: 'omit',
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch {
      return { ok: false, failure: 'network' };
    }
    if (response.status === 204) return { ok: true, value: null as T };
    let data: unknown;
    try {
      data = await response.json();
    } catch {
      return { ok: false, failure: response.ok ? 'server' : failureOf(response.status) };
    }
    if (!response.ok) {
      const message =
        data &&
        typeof data === 'object' &&
        typeof (data as { message?: unknown }).message === 'string'
          ? (data as { message: string }).message
          : undefined;
      return { ok: false, failure: failureOf(response.status), ...(message ? { message } : {}) };
    }
    return { ok: true, value: data as T };
  }

  return {
    create: (body) => call('POST', root, body),
    send: (id, body) => call('POST', `${root}/${encodeURIComponent(id)}/messages`, body),
    transcript: (id) => call('GET', `${root}/${encodeURIComponent(id)}`),
    handoverMessages: (id, after) =>
      call('GET', `${root}/${encodeURIComponent(id)}/messages?after=${Math.max(0, after)}`),
    erase: (id) => call('DELETE', `${root}/${encodeURIComponent(id)}`),
  };
}
