// The benchmark's peer: node-oidc-provider (the engine inside Logto) configured like the
// Latchkey under test: the same clients, resource, scopes and signing algorithms, with
// client credentials, introspection and revocation enabled.
//
// One worker process per core (node:cluster), so that the peer uses the whole machine as
// Latchkey does. Its store is in memory: each worker keeps a full copy, and every write is
// relayed to the other workers through the primary, so that a code or token issued by one
// worker is found by all (reads stay local, as with the library's own memory adapter).
//
// Usage: node peer.mjs PORT WORKERS    (prints "ready" once every worker listens)

import cluster from 'node:cluster';
import { generateKeyPairSync } from 'node:crypto';

import Provider from 'oidc-provider';
import MemoryAdapter from 'oidc-provider/lib/adapters/memory_adapter.js';
import LRU from 'oidc-provider/lib/helpers/lru.js';

const port = Number(process.argv[2] ?? 3002);
const workers = Number(process.argv[3] ?? 1);
const issuer = `http://127.0.0.1:${port}`;

// The same names the benchmark gives Latchkey (see bench/src/setup.rs).
const RESOURCE_ES256 = 'https://api.bench.example';
const RESOURCE_RS256 = 'https://rs256.bench.example';
const SCOPE = 'read';
const REDIRECT_URI = 'http://127.0.0.1:9/callback';

if (cluster.isPrimary) {
  const keys = [
    generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }),
    generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }),
  ];
  keys[0].alg = 'RS256';
  keys[0].use = 'sig';
  keys[1].alg = 'ES256';
  keys[1].use = 'sig';
  const env = { PEER_KEYS: JSON.stringify(keys) };
  let listening = 0;
  const all = [];
  for (let i = 0; i < workers; i += 1) {
    const worker = cluster.fork(env);
    all.push(worker);
    worker.on('listening', () => {
      listening += 1;
      if (listening === workers) console.log('ready');
    });
    // Relay each store write to the other workers.
    worker.on('message', (message) => {
      for (const other of all) if (other !== worker) other.send(message);
    });
  }
} else {
  const store = new LRU({ maxSize: 10_000_000 });

  class SharedMemoryAdapter extends MemoryAdapter {
    constructor(model) {
      super(model, store);
    }

    relay(op, args) {
      process.send({ model: this.model, op, args });
    }

    async upsert(id, payload, expiresIn) {
      await super.upsert(id, payload, expiresIn);
      this.relay('upsert', [id, payload, expiresIn]);
    }

    async consume(id) {
      await super.consume(id);
      this.relay('consume', [id]);
    }

    async destroy(id) {
      await super.destroy(id);
      this.relay('destroy', [id]);
    }

    async revokeByGrantId(grantId) {
      await super.revokeByGrantId(grantId);
      this.relay('revokeByGrantId', [grantId]);
    }
  }

  process.on('message', ({ model, op, args }) => {
    // A write may arrive before the record it changes: the store stays a best-effort copy.
    new MemoryAdapter(model, store)[op](...args).catch(() => {});
  });

  const resources = {
    [RESOURCE_ES256]: 'ES256',
    [RESOURCE_RS256]: 'RS256',
  };

  const provider = new Provider(issuer, {
    adapter: SharedMemoryAdapter,
    jwks: { keys: JSON.parse(process.env.PEER_KEYS) },
    cookies: { keys: ['bench-cookie-key-0123456789abcdef'] },
    clients: [
      {
        client_id: 'bench-web',
        client_secret: 'bench-web-secret-0123456789abcdef0123456789',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: [REDIRECT_URI],
        token_endpoint_auth_method: 'client_secret_basic',
      },
      {
        client_id: 'bench-web-es256',
        client_secret: 'bench-web-es256-secret-0123456789abcdef01234',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: [REDIRECT_URI],
        token_endpoint_auth_method: 'client_secret_basic',
        id_token_signed_response_alg: 'ES256',
      },
      {
        client_id: 'bench-machine',
        client_secret: 'bench-machine-secret-0123456789abcdef01234567',
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: 'client_secret_basic',
        scope: SCOPE,
      },
    ],
    scopes: ['openid', 'offline_access', 'profile', 'email', SCOPE],
    claims: { openid: ['sub'], profile: ['name'], email: ['email', 'email_verified'] },
    features: {
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => undefined,
        useGrantedResource: () => false,
        getResourceServerInfo: (ctx, resource) => {
          const alg = resources[resource];
          if (!alg) throw new Provider.errors.InvalidTarget();
          return {
            scope: SCOPE,
            audience: resource,
            accessTokenTTL: 3600,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg } },
          };
        },
      },
    },
    // Latchkey rotates every refresh token; so does the peer here.
    rotateRefreshToken: () => true,
    // The peer drops offline_access unless the request says prompt=consent (which would
    // show its consent page on every authorization); the web client gets a refresh token
    // with every code instead, as Latchkey's does with offline_access.
    issueRefreshToken: (ctx, client) => client.grantTypeAllowed('refresh_token'),
    ttl: {
      AuthorizationCode: 60,
      AccessToken: 3600,
      ClientCredentials: 3600,
      Grant: 14 * 24 * 3600,
      IdToken: 3600,
      Interaction: 3600,
      RefreshToken: 14 * 24 * 3600,
      Session: 14 * 24 * 3600,
    },
    findAccount: (ctx, sub) => ({
      accountId: sub,
      claims: () => ({ sub, name: 'Bench User', email: `${sub}@bench.example`, email_verified: false }),
    }),
  });
  provider.listen(port, '127.0.0.1');
}
