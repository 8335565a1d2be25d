import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { repoPath, StackEnv } from '../stack/stackEnv';
import { guestToken } from './portalApi';
import { portalOnPostgres, psqlInPluginDatabase } from './portalDatabase';

/** The key id app-config.stack.yaml gives the stack's user-token key pair. */
const KEY_ID = 'local-stack-user-tokens';

const base64url = (value: Buffer | string) =>
  Buffer.from(value).toString('base64url');

/** An ES256 Backstage user token signed with `key`. */
function signUserToken(
  key: crypto.KeyObject,
  userEntityRef: string,
  ownershipEntityRefs: string[],
): string {
  const now = Math.floor(Date.now() / 1000);
  const exp = now + 3600;
  const sign = (header: object, payload: object) => {
    const input = `${base64url(JSON.stringify(header))}.${base64url(
      JSON.stringify(payload),
    )}`;
    const signature = crypto.sign('sha256', Buffer.from(input), {
      key,
      dsaEncoding: 'ieee-p1363',
    });
    return { input, signature: base64url(signature) };
  };
  // The user identity proof: the signature of the limited token the backend
  // derives for calls on the user's behalf (same claims, same key order).
  const uip = sign(
    { typ: 'vnd.backstage.limited-user', alg: 'ES256', kid: KEY_ID },
    { sub: userEntityRef, iat: now, exp },
  ).signature;
  const { input, signature } = sign(
    { alg: 'ES256', typ: 'vnd.backstage.user', kid: KEY_ID },
    {
      iss: 'http://localhost:7007/api/auth',
      sub: userEntityRef,
      ent: ownershipEntityRefs,
      aud: 'backstage',
      iat: now,
      exp,
      uip,
    },
  );
  return `${input}.${signature}`;
}

/** Where stack/start keeps the key pair the portal signs user tokens with. */
export function userTokenKeyFile(env: StackEnv): string {
  return path.join(env.STACK_STATE_DIR, 'auth', 'user-tokens.key.pem');
}

const UPSERT_USER_INFO = `INSERT INTO user_info (user_entity_ref, user_info, updated_at)
  VALUES ($1, $2, $3)
  ON CONFLICT (user_entity_ref) DO UPDATE SET
    user_info = excluded.user_info, updated_at = excluded.updated_at`;

/**
 * Records the user as the auth backend does when it issues a token: other
 * plugins read a user's ownership from there when they act for the user
 * with a limited token (which carries no ownership claims). In the auth
 * plugin's database: PostgreSQL when the portal runs as deployed
 * (app-config.deployed.yaml), SQLite under the dev backend.
 */
function recordSignIn(userEntityRef: string, ownershipEntityRefs: string[]) {
  const userInfo = JSON.stringify({
    claims: { sub: userEntityRef, ent: ownershipEntityRefs },
  });
  const updatedAt = new Date().toISOString().replace('T', ' ').replace('Z', '');
  if (portalOnPostgres()) {
    psqlInPluginDatabase(
      'auth',
      UPSERT_USER_INFO.replace('$1', ":'ref'")
        .replace('$2', ":'info'")
        .replace('$3', ":'at'"),
      { ref: userEntityRef, info: userInfo, at: updatedAt },
    );
    return;
  }
  const dataDir = process.env.GITOPS_DATA_DIR ?? repoPath('.data/sqlite');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { DatabaseSync } = require('node:sqlite');
  const db = new DatabaseSync(path.join(dataDir, 'auth.sqlite'));
  try {
    db.exec('PRAGMA busy_timeout = 10000');
    db.prepare(UPSERT_USER_INFO.replace(/\$\d/g, '?')).run(
      userEntityRef,
      userInfo,
      updatedAt,
    );
  } finally {
    db.close();
  }
}

/**
 * A signed-in user other than the guest: the token the portal's auth
 * backend would issue, signed with the stack's key pair, and the record
 * it keeps of the sign-in.
 */
export function userToken(
  env: StackEnv,
  userEntityRef: string,
  ownershipEntityRefs: string[] = [userEntityRef],
): string {
  recordSignIn(userEntityRef, ownershipEntityRefs);
  const key = crypto.createPrivateKey(
    fs.readFileSync(userTokenKeyFile(env), 'utf8'),
  );
  return signUserToken(key, userEntityRef, ownershipEntityRefs);
}

/**
 * A well-formed user token for the guest, with the portal's key id, signed
 * by a key the portal does not know.
 */
export function forgedToken(): string {
  const { privateKey } = crypto.generateKeyPairSync('ec', {
    namedCurve: 'P-256',
  });
  return signUserToken(privateKey, 'user:default/guest', [
    'user:default/guest',
    'group:default/guests',
  ]);
}

/** The static service tokens of app-config.stack.yaml. */
export const PIPELINE_TOKEN =
  process.env.GITOPS_PIPELINE_TOKEN ?? 'local-stack-pipeline-token';
export const SERVICE_TOKEN =
  process.env.GITOPS_SERVICE_TOKEN ?? 'local-stack-service-token';

/** Who calls in the matrix, from nobody to the owner. */
export type PrincipalName =
  | 'no token'
  | 'forged token'
  | 'reader'
  | 'owner of another entity'
  | 'owner'
  | 'service token'
  | 'pipeline token';

export const PRINCIPALS: PrincipalName[] = [
  'no token',
  'forged token',
  'reader',
  'owner of another entity',
  'owner',
  'service token',
  'pipeline token',
];

/** The group that owns the "other" entity of the matrix. */
export const OTHER_TEAM = 'group:default/e2e-other-team';

/** The Authorization header value of each principal (none for no token). */
export async function authorizationOf(
  env: StackEnv,
): Promise<Record<PrincipalName, string | undefined>> {
  return {
    'no token': undefined,
    'forged token': `Bearer ${forgedToken()}`,
    reader: `Bearer ${userToken(env, 'user:default/e2e-reader')}`,
    'owner of another entity': `Bearer ${userToken(
      env,
      'user:default/e2e-other',
      ['user:default/e2e-other', OTHER_TEAM],
    )}`,
    owner: `Bearer ${await guestToken()}`,
    'service token': `Bearer ${SERVICE_TOKEN}`,
    'pipeline token': `Bearer ${PIPELINE_TOKEN}`,
  };
}

/** The admin group of app-config.yaml's permission.admins. */
export const ADMIN_GROUP = 'group:default/platform-admins';

/** A member of the admin group: the platform team. */
export function adminToken(env: StackEnv): string {
  return userToken(env, 'user:default/e2e-platform-admin', [
    'user:default/e2e-platform-admin',
    ADMIN_GROUP,
  ]);
}
