/**
 * The API process fuzzed from its own OpenAPI document: ≥ 10,000 malformed (and some well-formed)
 * requests across every documented route, /stream/:token with odd Range headers, broken and huge
 * bodies, wrong content types, bad and expired tokens. Zero 500s, no 5xx but documented 503s, and
 * the process still up at the end. The sequence comes from a seeded PRNG: FUZZ_SEED=n reproduces a
 * run (FUZZ_REQUESTS=n changes its length). The process runs with NODE_ENV=test, so it also checks
 * every answer against its documented schema (a mismatch would be a 500).
 */
import { Agent, request as httpRequest } from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createDb, Role, type Db } from '@cinenest/db';
import { createRedis } from '@cinenest/queue';
import {
  createTestDatabase,
  freePort,
  startProcess,
  testEnv,
  waitFor,
  type RunningProcess,
} from '@cinenest/testkit';
import bcrypt from 'bcryptjs';
import jwt from 'jsonwebtoken';

const API = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_123);
const TOTAL = Number(process.env.FUZZ_REQUESTS ?? 10_000);
const IN_FLIGHT = 20;
const PASSWORD = 'correct horse battery';
const MOVIE = 550;
const LIST = 'popular';

// ---------------------------------------------------------------------------------------------------
// A seeded PRNG (mulberry32) and helpers.

type Rand = () => number;
function prng(seed: number): Rand {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand: Rand = prng(SEED);
const int = (min: number, max: number) => min + Math.floor(rand() * (max - min + 1));
const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
const chance = (p: number) => rand() < p;
const uuid = () =>
  'xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx'.replace(/[xy]/g, (c) =>
    (c === 'x' ? int(0, 15) : int(8, 11)).toString(16),
  );

/** Strings that have broken servers: NUL (Postgres refuses it), lone surrogates, RTL, SQL, huge. */
const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff\ud800',
  '\u202e\u200b\ufeff',
  '🎬💥'.repeat(40),
  'ﷺ'.repeat(100),
  'Ä'.repeat(300),
  '\'; DROP TABLE "User"; --',
  '%',
  '_%\\',
  '../../etc/passwd',
  '<script>alert(1)</script>',
  '${jndi:ldap://x}',
  '__proto__',
  'constructor',
  'NaN',
  '-0',
  '1e309',
  'null',
  'x'.repeat(5000),
  'é'.repeat(60_000),
];
const NASTY_NUMBERS = [-1, 0, -0, 0.5, 1.5, -(2 ** 31), 2 ** 31, 2 ** 53 + 2, -(2 ** 63), 1e308, 5e-324];
const nastyValue = (): unknown =>
  pick<() => unknown>([
    () => pick(NASTY_STRINGS),
    () => pick(NASTY_NUMBERS),
    () => pick([true, false, null]),
    () => [],
    () => [pick(NASTY_STRINGS), pick(NASTY_NUMBERS)],
    () => ({}),
    () => ({ $gt: '' }),
    () => JSON.parse('{"__proto__":{"polluted":true}}') as unknown,
  ])();

// ---------------------------------------------------------------------------------------------------
// Values from the document's JSON schemas.

interface Schema {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  maxLength?: number;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
}
interface Parameter {
  name: string;
  in: 'path' | 'query';
  required?: boolean;
  schema: Schema;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, unknown>;
  security?: unknown[];
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

let doc: Document;
const deref = (s: Schema): Schema =>
  s.$ref ? deref(doc.components.schemas[s.$ref.replace('#/components/schemas/', '')]!) : s;

/** Known values by field name, so some requests reach the handlers' success paths. */
const known: Record<string, () => unknown> = {
  tmdbId: () => pick([MOVIE, MOVIE, int(1, 2_000_000)]),
  slug: () => pick([LIST, 'top-rated', 'nope']),
  email: () => pick([`fuzz-${int(1, 1e9)}@example.com`, 'user@fuzz.test', 'admin@fuzz.test']),
  password: () => pick([PASSWORD, 'wrong password', 'short']),
  currentPassword: () => pick(['wrong password', 'another wrong one']),
  newPassword: () => 'a new password that is long',
  id: () => pick([...throwaway, uuid()]),
};
const throwaway: string[] = [];

function valid(schema: Schema, name = '', depth = 0): unknown {
  const s = deref(schema);
  if (name in known && depth > 0) return known[name]!();
  if (s.const !== undefined) return s.const;
  if (s.enum) return pick(s.enum);
  if (s.anyOf || s.oneOf) return valid(pick((s.anyOf ?? s.oneOf)!), name, depth);
  const types = (Array.isArray(s.type) ? s.type : [s.type ?? 'string']).filter((t) => t !== 'null');
  switch (pick(types)) {
    case 'integer':
    case 'number': {
      const min = s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : (s.minimum ?? 0);
      return int(min, Math.min(s.maximum ?? min + 1000, min + 1000));
    }
    case 'boolean':
      return chance(0.5);
    case 'array':
      return Array.from({ length: int(0, 2) }, () => valid(s.items ?? {}, name, depth + 1));
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [key, prop] of Object.entries(s.properties ?? {}))
        if (s.required?.includes(key) || chance(0.5)) out[key] = valid(prop, key, depth + 1);
      return out;
    }
    default: {
      if (s.format === 'uuid') return uuid();
      if (s.format === 'email') return known.email!();
      if (s.format === 'date-time') return new Date(int(0, 2e12)).toISOString();
      if (s.pattern?.includes('a-zA-Z')) return pick(['en', 'fr-FR', 'de', 'pt-BR']);
      if (s.pattern?.includes('a-z0-9-')) return pick([LIST, 'now-playing']);
      const length = int(s.minLength ?? 0, Math.min(s.maxLength ?? 12, 12));
      return Array.from({ length }, () => pick([...'abcdefghij0123456789 -'])).join('') || 'x';
    }
  }
}

/** A valid value, or (with probability p) a hostile one: wrong type, out of range, nasty string. */
function maybeHostile(schema: Schema, name: string, p: number): unknown {
  if (!chance(p)) return valid(schema, name, 1);
  const s = deref(schema);
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  if ((type === 'integer' || type === 'number') && chance(0.5))
    return pick([...NASTY_NUMBERS, (s.maximum ?? 0) + 1, (s.minimum ?? 0) - 1, 1.25]);
  return nastyValue();
}

// ---------------------------------------------------------------------------------------------------
// Requests.

interface FuzzRequest {
  route: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  /** Which signed-in identity it used (re-signed in when the session ends), and its token then. */
  as?: 'admin' | 'user';
  token?: string;
}
interface Answer {
  status: number;
  body: string;
}

let baseUrl = '';
const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });

function send(req: FuzzRequest): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const url = new URL(baseUrl);
    const r = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method: req.method,
        path: req.path,
        headers: {
          ...(req.body !== undefined ? { 'content-length': String(Buffer.byteLength(req.body)) } : {}),
          ...req.headers,
        },
        agent,
        timeout: 20_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    r.on('timeout', () => r.destroy(new Error(`timed out: ${req.method} ${req.path}`)));
    r.on('error', (err: NodeJS.ErrnoException) => {
      // The server may answer (413, 431) and close before a huge body is through.
      if (err.code === 'ECONNRESET' || err.code === 'EPIPE') resolve({ status: -1, body: err.code });
      else reject(err);
    });
    if (req.body !== undefined) r.write(req.body);
    r.end();
  });
}

interface Identity {
  email: string;
  accessToken: string;
  sessionId: string;
  userId: string;
}
const identities: Record<'admin' | 'user', Identity> = {} as Record<'admin' | 'user', Identity>;
let signingIn: Promise<void> | undefined;
let accessSecret = '';

async function signIn(who: 'admin' | 'user') {
  const res = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: `${who}@fuzz.test`, password: PASSWORD, deviceName: 'fuzzer' }),
  });
  if (res.status !== 200) throw new Error(`sign-in as ${who}: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { accessToken: string; user: { id: string } };
  const claims = jwt.decode(body.accessToken) as { sid: string };
  identities[who] = {
    email: `${who}@fuzz.test`,
    accessToken: body.accessToken,
    sessionId: claims.sid,
    userId: body.user.id,
  };
}

/** A token of the given flavour; valid ones are the signed-in identities'. */
function authHeaders(
  op: Operation,
  path: string,
): { headers: Record<string, string>; as?: 'admin' | 'user' } {
  const admin = identities.admin;
  const bad = (): Record<string, string> =>
    pick<() => Record<string, string>>([
      () => ({}),
      () => ({ authorization: 'Bearer' }),
      () => ({ authorization: 'Bearer not-a-jwt' }),
      () => ({ authorization: `Bearer ${'x'.repeat(4000)}` }),
      () => ({ authorization: 'Basic YWRtaW46YWRtaW4=' }),
      () => ({ authorization: `Bearer ${admin.accessToken.slice(0, -4)}AAAA` }),
      () => ({ authorization: `Bearer ${admin.accessToken}`.replace('Bearer', 'bEaReR') }),
      () => ({ authorization: `Bearer ${admin.accessToken} extra` }),
      () => ({
        // Expired, though signed with the right key for a real session.
        authorization: `Bearer ${jwt.sign({ sid: admin.sessionId, exp: Math.floor(Date.now() / 1000) - 60 }, accessSecret, { subject: admin.userId, issuer: 'cinenest', audience: 'cinenest-api' })}`,
      }),
      () => ({
        // A session that does not exist.
        authorization: `Bearer ${jwt.sign({ sid: uuid() }, accessSecret, { subject: uuid(), issuer: 'cinenest', audience: 'cinenest-api', expiresIn: 60 })}`,
      }),
      () => ({
        authorization: `Bearer ${jwt.sign({ sid: admin.sessionId }, 'not the secret', { subject: admin.userId, issuer: 'cinenest', audience: 'cinenest-api' })}`,
      }),
      () => ({
        authorization: `Bearer ${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: admin.userId, sid: admin.sessionId })).toString('base64url')}.`,
      }),
      () => ({
        cookie: `cinenest_access=${pick(NASTY_STRINGS.slice(0, 12)).replace(/[^\x21-\x3a\x3c-\x7e]/g, '?')}`,
      }),
      () => ({ cookie: 'cinenest_access=%E0%A4%A' }),
    ])();
  const isPublic = (op.security ?? []).length === 0;
  const wantsAdmin = path.startsWith('/api/v1/admin') || path.startsWith('/api/v1/users');
  const roll = rand();
  if (roll < 0.2) return { headers: bad() };
  const who = wantsAdmin ? (roll < 0.85 ? 'admin' : 'user') : roll < 0.55 ? 'user' : 'admin';
  if (isPublic && roll > 0.8) return { headers: {} };
  const token = identities[who].accessToken;
  return chance(0.15)
    ? { headers: { cookie: `cinenest_access=${token}` }, as: who }
    : { headers: { authorization: `Bearer ${token}` }, as: who };
}

const BROKEN_JSON = [
  '{',
  '{"a":',
  '[1,2',
  '{"a":1}}',
  "{'a':1}",
  'nul',
  'NaN',
  '{"a":1e999999}',
  '{"a":"\\ud800"}',
  '\u0000',
  '"just a string"',
  '12345',
  'null',
  '[]',
  '{"__proto__":{"admin":true}}',
  '['.repeat(5000) + ']'.repeat(5000),
  `{"a":${'{"a":'.repeat(2000)}1${'}'.repeat(2000)}}`,
];

/** Everything about the body: valid, one field hostile, fields missing or extra, broken, huge, mistyped. */
function bodyOf(schema: Schema | undefined): { body?: string | Buffer; headers: Record<string, string> } {
  const json = { 'content-type': 'application/json' };
  const roll = rand();
  const base = schema ? (valid(schema, '', 0) as Record<string, unknown> | undefined) : {};
  const object = base && typeof base === 'object' && !Array.isArray(base) ? base : {};
  const props = Object.keys(deref(schema ?? {}).properties ?? {});
  if (roll < 0.2) return { body: JSON.stringify(object), headers: json };
  if (roll < 0.45 && props.length) {
    const key = pick(props);
    return { body: JSON.stringify({ ...object, [key]: nastyValue() }), headers: json };
  }
  if (roll < 0.55 && props.length) {
    const copy = { ...object };
    delete copy[pick(props)];
    return { body: JSON.stringify(chance(0.5) ? copy : {}), headers: json };
  }
  if (roll < 0.62)
    return { body: JSON.stringify({ ...object, [pick(['extra', 'role', 'isAdmin'])]: 1 }), headers: json };
  if (roll < 0.72) return { body: JSON.stringify(nastyValue()), headers: json };
  if (roll < 0.84) return { body: pick(BROKEN_JSON), headers: json };
  if (roll < 0.88)
    // Over BODY_LIMIT (100kb): 413.
    return { body: JSON.stringify({ ...object, pad: 'x'.repeat(int(110_000, 400_000)) }), headers: json };
  if (roll < 0.91) return { body: Buffer.from([0xff, 0xfe, 0x7b, 0x00, 0x22]), headers: json };
  const typed = pick([
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/json; charset=utf-16',
    'application/json; charset=latin1',
    'application/xml',
    '',
  ]);
  const extra: Record<string, string> = typed ? { 'content-type': typed } : {};
  if (chance(0.2)) extra['content-encoding'] = pick(['gzip', 'deflate', 'br', 'compress', 'x-nonsense']);
  return { body: chance(0.5) ? JSON.stringify(object) : 'email=a&password=b', headers: extra };
}

/** Every byte percent-encoded (lone surrogates become U+FFFD, as any client would send them). */
const percent = (s: string) =>
  [...Buffer.from(s)].map((b) => `%${b.toString(16).padStart(2, '0').toUpperCase()}`).join('');

function queryOf(params: Parameter[]): string {
  const parts: string[] = [];
  const enc = (v: unknown) => percent(typeof v === 'string' ? v : JSON.stringify(v));
  for (const p of params) {
    if (!p.required && chance(0.5)) continue;
    const value = maybeHostile(p.schema, p.name, 0.35);
    const roll = rand();
    if (roll < 0.75) parts.push(`${p.name}=${enc(value)}`);
    else if (roll < 0.85) parts.push(`${p.name}=${enc(value)}&${p.name}=${enc(valid(p.schema, p.name, 1))}`);
    else if (roll < 0.92) parts.push(`${p.name}[${pick(['a', '', '0', '__proto__'])}]=${enc(value)}`);
    else parts.push(`${p.name}[a][b][c][d][e][f][g]=1`);
  }
  if (chance(0.1))
    parts.push(pick(['extra=1', '__proto__[x]=1', 'constructor[prototype][x]=1', '%=%', 'a=%E0%A4%A']));
  if (chance(0.01)) parts.push(`q=${'x'.repeat(20_000)}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

const NASTY_SEGMENTS = [
  '-1',
  '0',
  '1.5',
  '1e3',
  '0x10',
  '99999999999999999999',
  'abc',
  '%00',
  '%FF',
  '%E2%82',
  '%C3%A9',
  'ü',
  '%2F',
  '%20',
  'null',
  'undefined',
  '__proto__',
  'x'.repeat(3000),
];

function pathOf(template: string, params: Parameter[]): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const param = params.find((p) => p.name === name);
    if (chance(0.3)) return pick(NASTY_SEGMENTS);
    return percent(String(param ? valid(param.schema, name, 1) : 'x'));
  });
}

const RANGES = [
  'bytes=0-',
  'bytes=0-0',
  'bytes=-1',
  'bytes=-0',
  'bytes=5-1',
  'bytes=999999999999999999-',
  'bytes=0-1,2-3,4-5',
  'bytes=-',
  'bytes=a-b',
  'bytes=1.5-2',
  'items=0-1',
  'bytes 0-1',
  'bytes=' + '0-1,'.repeat(500),
  '',
];

function streamRequest(): FuzzRequest {
  const token = pick([
    'abc',
    uuid(),
    `${Buffer.from('{"tokenId":"x"}').toString('base64url')}.${'A'.repeat(43)}`,
    'x'.repeat(2000),
    '%00',
    '..%2F..%2Fetc%2Fpasswd',
  ]);
  return {
    route: `${'GET|HEAD'} /stream/{token}`,
    method: chance(0.7) ? 'GET' : 'HEAD',
    path: `/stream/${token}`,
    headers: chance(0.9) ? { range: pick(RANGES) } : {},
  };
}

interface Planned {
  route: string;
  method: string;
  template: string;
  op: Operation;
}

function requestFor(plan: Planned): FuzzRequest {
  const params = plan.op.parameters ?? [];
  const path = pathOf(
    plan.template,
    params.filter((p) => p.in === 'path'),
  );
  const query = queryOf(params.filter((p) => p.in === 'query'));
  const auth = authHeaders(plan.op, plan.template);
  const bodySchema = plan.op.requestBody?.content['application/json']?.schema;
  const method = chance(0.03)
    ? pick(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'])
    : plan.method;
  const withBody = bodySchema || (chance(0.15) && method !== 'GET' && method !== 'HEAD');
  const body = withBody ? bodyOf(bodySchema) : { headers: {} };
  return {
    route: plan.route,
    method,
    path: path + query,
    headers: {
      ...body.headers,
      ...auth.headers,
      ...(chance(0.05)
        ? { 'x-request-id': pick(NASTY_STRINGS.slice(0, 8)).replace(/[^\x20-\x7e]/g, '?') }
        : {}),
    },
    ...(body.body !== undefined && method !== 'GET' && method !== 'HEAD' ? { body: body.body } : {}),
    ...(auth.as ? { as: auth.as } : {}),
  };
}

// ---------------------------------------------------------------------------------------------------

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let db: Db;
let api: RunningProcess;
let prefix = '';

async function seed() {
  const passwordHash = await bcrypt.hash(PASSWORD, 4);
  await db.user.create({ data: { email: 'admin@fuzz.test', passwordHash, role: Role.ADMIN } });
  await db.user.create({ data: { email: 'second-admin@fuzz.test', passwordHash, role: Role.ADMIN } });
  await db.user.create({ data: { email: 'user@fuzz.test', passwordHash } });
  // Users the fuzzer may change or delete (never the identities it signs in as).
  for (let i = 0; i < 8; i++) {
    const user = await db.user.create({
      data: { email: `throwaway-${i}@fuzz.test`, passwordHash, role: i % 3 ? Role.USER : Role.ADMIN },
    });
    throwaway.push(user.id);
  }
  await db.genre.create({ data: { id: 18, name: 'Drama', forMovies: true, forShows: true } });
  const movie = await db.movie.create({
    data: {
      tmdbId: MOVIE,
      title: 'Fight Club',
      year: 1999,
      releaseDate: new Date('1999-10-15'),
      rating: 8.4,
      popularity: 60,
      posterPath: '/poster.jpg',
      syncedAt: new Date(),
      sourceSearchedAt: new Date(),
      genres: { connect: { id: 18 } },
      translations: { create: { language: 'fr', region: 'FR', title: 'Fight Club', overview: 'Un film' } },
    },
  });
  await db.movieSource.create({
    data: {
      movieId: movie.id,
      provider: 'yts',
      hashLookup: 'fuzz',
      infoHashEnc: 'fuzz',
      magnetEnc: 'fuzz',
      quality: '1080p',
      codec: 'x264',
      sizeBytes: BigInt(2 * 1024 ** 3),
      seeds: 50,
      peers: 5,
      lastStatsCheck: new Date(),
    },
  });
  await db.mediaList.create({
    data: {
      slug: LIST,
      name: 'Popular',
      kind: 'MOVIE',
      items: { create: { position: 1, movieId: movie.id } },
    },
  });
}

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDb(database.url, { poolSize: 2 });
  await seed();
  const port = await freePort();
  const streamer = await freePort(); // nothing listens there: the streamer is down
  const env = testEnv(database.url, {
    PORT: String(port),
    RATE_LIMIT_PER_MINUTE: '10000000',
    RATE_LIMIT_LOGIN_PER_MINUTE: '10000000',
    CATALOG_WAIT_MS: '100',
    STREAMER_URL: `http://127.0.0.1:${streamer}`,
    STREAM_SOURCE_TIMEOUT: '2',
    DEVICE_CODE_INTERVAL: '1',
  });
  prefix = env.REDIS_PREFIX!;
  accessSecret = env.JWT_ACCESS_SECRET!;
  baseUrl = `http://127.0.0.1:${port}`;
  api = startProcess(API, env);
  await waitFor(async () => {
    if (api.child.exitCode !== null) throw new Error(`exited early:\n${api.output()}`);
    return (await fetch(`${baseUrl}/health/live`)).ok;
  });
  doc = (await (await fetch(`${baseUrl}/api/v1/openapi.json`)).json()) as Document;
  await Promise.all([signIn('admin'), signIn('user')]);
}, 30_000);

afterAll(async () => {
  agent.destroy();
  await api?.stop('SIGKILL');
  const redis = createRedis(process.env.REDIS_URL!, 'request');
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
  await db?.$disconnect();
  await database?.drop();
});

describe('the API process under fuzzing', () => {
  it(`answers ${TOTAL} malformed requests without a 500 and stays up`, async () => {
    const plans: Planned[] = [];
    for (const [template, item] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(item))
        plans.push({
          route: `${method.toUpperCase()} ${template}`,
          method: method.toUpperCase(),
          template,
          op,
        });
    expect(plans.length).toBeGreaterThanOrEqual(30);

    // Every documented operation, then the stream proxy and some paths that exist nowhere.
    const requests: FuzzRequest[] = [];
    for (let i = 0; i < TOTAL; i++) {
      const roll = rand();
      if (roll < 0.05) requests.push(streamRequest());
      else if (roll < 0.06)
        requests.push({
          route: 'unknown path',
          method: pick(['GET', 'POST', 'DELETE']),
          path: pick([
            '/',
            '/api',
            '/api/v1',
            '/api/v2/movies',
            '/%',
            `/api/v1/${pick(NASTY_SEGMENTS)}`,
            '//x',
            '/api/v1/movies/550/stream/extra',
          ]),
          headers: {},
        });
      else requests.push(requestFor(plans[i % plans.length]!));
    }

    const counts = new Map<string, Map<number, number>>();
    const failures: Array<{ request: FuzzRequest; answer: Answer }> = [];
    const started = Date.now();
    let next = 0;
    let reSignIns = 0;
    const documented503 = (route: string) => {
      const [method, template] = route.split(' ');
      const op = doc.paths[template!]?.[method!.toLowerCase()];
      return route.endsWith('/stream/{token}') || op?.responses['503'] !== undefined;
    };

    async function worker() {
      while (next < requests.length) {
        const req = requests[next++]!;
        if (signingIn) await signingIn;
        // The identity's current token (it may have been signed in again since this was planned).
        if (req.as) {
          req.token = identities[req.as].accessToken;
          if (req.headers.authorization) req.headers.authorization = `Bearer ${req.token}`;
          if (req.headers.cookie) req.headers.cookie = `cinenest_access=${req.token}`;
        }
        const answer = await send(req);
        const byStatus = counts.get(req.route) ?? new Map<number, number>();
        byStatus.set(answer.status, (byStatus.get(answer.status) ?? 0) + 1);
        counts.set(req.route, byStatus);
        const bad = answer.status >= 500 && !(answer.status === 503 && documented503(req.route));
        if (bad || answer.status === 0) failures.push({ request: req, answer });
        // A request ended the fuzzer's own session (a logout, say): sign in again, once per session.
        const ended =
          (answer.status === 401 && /session_revoked/.test(answer.body)) ||
          (req.route === 'POST /api/v1/auth/logout' && answer.status === 204);
        if (req.as && ended && identities[req.as].accessToken === req.token) {
          const who = req.as;
          if (!signingIn) {
            reSignIns++;
            signingIn = signIn(who).finally(() => (signingIn = undefined));
          }
          await signingIn;
        }
      }
    }
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    const seconds = (Date.now() - started) / 1000;

    // The report: requests by route and status.
    const statuses = [...new Set([...counts.values()].flatMap((m) => [...m.keys()]))].sort((a, b) => a - b);
    const width = Math.max(...[...counts.keys()].map((k) => k.length));
    const cell = (s: string | number) => String(s).padStart(5);
    const lines = [
      `fuzz: seed ${SEED}, ${requests.length} requests in ${seconds.toFixed(1)} s, ${IN_FLIGHT} in flight, ${reSignIns} re-sign-ins (FUZZ_SEED=${SEED} reproduces)`,
      `${'route'.padEnd(width)} ${statuses.map((s) => cell(s === -1 ? 'reset' : s)).join(' ')}  total`,
      ...[...counts.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([route, m]) => {
          const total = [...m.values()].reduce((a, b) => a + b, 0);
          return `${route.padEnd(width)} ${statuses.map((s) => cell(m.get(s) ?? '.')).join(' ')}  ${total}`;
        }),
      `${'all'.padEnd(width)} ${statuses.map((s) => cell([...counts.values()].reduce((n, m) => n + (m.get(s) ?? 0), 0))).join(' ')}  ${requests.length}`,
    ];
    process.stdout.write(`\n${lines.join('\n')}\n\n`);

    const sample = failures.slice(0, 10).map(({ request, answer }) => ({
      route: request.route,
      method: request.method,
      path: request.path.slice(0, 200),
      body: request.body?.toString().slice(0, 200),
      status: answer.status,
      answer: answer.body.slice(0, 500),
    }));
    expect({ failures: failures.length, sample }).toEqual({ failures: 0, sample: [] });
    for (const plan of plans)
      expect({ route: plan.route, covered: counts.has(plan.route) }).toEqual({
        route: plan.route,
        covered: true,
      });
    expect(counts.has('GET|HEAD /stream/{token}')).toBe(true);

    // Still up, still answering, still the same process.
    expect(api.child.exitCode).toBeNull();
    expect((await fetch(`${baseUrl}/health/live`)).status).toBe(200);
    expect((await fetch(`${baseUrl}/health/ready`)).status).toBe(200);
    // Every failed request is logged: none but the documented 503s.
    const logged = api
      .output()
      .split('\n')
      .filter((line) => line.includes('request failed') && !line.includes('"status":503'));
    expect(logged.slice(0, 5)).toEqual([]);
  }, 120_000);

  it('refuses text no database can hold (NUL, lone surrogates) with 400, anywhere in the input', async () => {
    const call = async (method: string, path: string, as: 'admin' | 'user' | undefined, body?: unknown) => {
      const res = await fetch(`${baseUrl}${path}`, {
        method,
        headers: {
          'content-type': 'application/json',
          ...(as ? { authorization: `Bearer ${identities[as].accessToken}` } : {}),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: res.status, body: (await res.json()) as { error?: { fields?: object } } };
    };
    const refused = [
      await call('POST', '/api/v1/auth/device', undefined, { deviceName: '\ud800' }),
      await call('POST', '/api/v1/auth/login', undefined, {
        email: 'user@fuzz.test',
        password: PASSWORD,
        deviceName: 'TV\u0000',
      }),
      await call('POST', '/api/v1/users', 'admin', {
        email: 'nul@fuzz.test',
        password: PASSWORD,
        displayName: 'a\u0000b',
      }),
      await call('PATCH', `/api/v1/users/${throwaway[1]!}`, 'admin', { displayName: '\udfff' }),
      await call('POST', '/api/v1/auth/device/deny', 'user', { userCode: '\udfff\ud800' }),
      await call('GET', '/api/v1/users?q=%00', 'admin'),
      await call('GET', '/api/v1/search?q=a%00b', 'user'),
    ];
    expect(refused.map((answer) => answer.status)).toEqual(refused.map(() => 400));
    for (const answer of refused) {
      expect(JSON.stringify(answer.body.error?.fields)).toMatch(/NUL characters or unpaired surrogates/);
    }
    // Text outside the BMP (a well-formed surrogate pair) is fine.
    const tv = await call('POST', '/api/v1/auth/device', undefined, { deviceName: '📺 Salon' });
    expect(tv.status).toBe(200);
  });
});
