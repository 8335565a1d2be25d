import type { BrowserServer } from 'playwright-core';

/**
 * What globalSetup hands to globalTeardown: both run in Jest's parent
 * process, and share this module only when Jest loads them through one
 * module registry, so the server is also kept on globalThis.
 */
const holder = globalThis as {
  gitopsE2eShared?: { browserServer?: BrowserServer };
};
export const sharedState = (holder.gitopsE2eShared ??= {});
