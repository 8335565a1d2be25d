import { sharedState } from './sharedState';

/** Closes what globalSetup started. */
export default async function globalTeardown(): Promise<void> {
  await sharedState.browserServer?.close();
}
