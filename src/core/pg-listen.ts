/**
 * LISTEN on a Postgres channel from a connection of its own, for every module that follows NOTIFY events
 * (eval's run store, serve's shared runs, worker heartbeats). pg is only a type here: the caller brings the
 * pool, so core stays free of a runtime driver dependency.
 */
import type pg from 'pg';
import { mmevolveError } from './errors.js';

/** Channel names are interpolated into LISTEN (it takes no parameters), so only plain identifiers pass. */
const CHANNEL_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Calls onPayload with each notification's payload on the channel until the returned unsubscribe runs
 * (UNLISTEN, then the connection goes back to the pool). A lost connection, or an onPayload that throws
 * (e.g. a payload that is not the JSON it expects), is reported through onError — never swallowed.
 */
export async function listenToChannel(pool: pg.Pool, channel: string, onPayload: (payload: string) => void, onError: (error: Error) => void): Promise<() => Promise<void>> {
  if (!CHANNEL_NAME.test(channel)) {
    throw mmevolveError('invalid-input', `"${channel}" is not a plain Postgres channel name`, 'use lower-case letters, digits and _ (at most 63), starting with a letter or _');
  }
  const client = await pool.connect();
  const handler = (message: pg.Notification): void => {
    if (message.channel !== channel || message.payload === undefined) return;
    try {
      onPayload(message.payload);
    } catch (error) {
      onError(error instanceof Error ? error : new Error(String(error)));
    }
  };
  client.on('notification', handler);
  client.on('error', onError);
  try {
    await client.query(`LISTEN ${channel}`);
  } catch (error) {
    client.off('notification', handler);
    client.off('error', onError);
    client.release(error instanceof Error ? error : true);
    throw error;
  }
  return async () => {
    client.off('notification', handler);
    // A broken connection cannot UNLISTEN; its failure reached onError when it broke.
    await client.query(`UNLISTEN ${channel}`).catch(() => undefined);
    client.off('error', onError);
    client.release();
  };
}
