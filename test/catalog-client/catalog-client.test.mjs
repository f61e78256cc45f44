// Drives a running Portico with Backstage's own @backstage/catalog-client: every CatalogClient
// method that talks to the catalog, asserting results against the examples/ catalog (Kestrel
// Travel). Run by compat_test.go, or by hand:
//
//   PORTICO_URL=http://127.0.0.1:7007 FIXTURE_URL=http://127.0.0.1:8000 node --test
//
// PORTICO_TOKEN, when set, is sent as a bearer token. FIXTURE_URL serves ./fixtures (the Go test
// starts that server); without it the location-registration tests are skipped.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CatalogClient, CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';

const baseUrl = (process.env.PORTICO_URL ?? '').replace(/\/+$/, '');
const fixtureUrl = (process.env.FIXTURE_URL ?? '').replace(/\/+$/, '');
const token = process.env.PORTICO_TOKEN;
if (!baseUrl) {
  throw new Error('PORTICO_URL must point at a running Portico, e.g. http://127.0.0.1:7007');
}

const fetchApi = {
  fetch: (input, init = {}) => {
    const headers = new Headers(init.headers);
    if (token) headers.set('Authorization', `Bearer ${token}`);
    return fetch(input, { ...init, headers });
  },
};
const discoveryApi = { getBaseUrl: async pluginId => `${baseUrl}/api/${pluginId}` };
const client = new CatalogClient({ discoveryApi, fetchApi });

const names = entities => entities.map(e => e?.metadata?.name);
const sorted = list => [...list].sort();
const refOf = e => `${e.kind}:${e.metadata.namespace ?? 'default'}/${e.metadata.name}`.toLowerCase();

// The examples catalog, as written in examples/.
const COMPONENTS = sorted([
  'booking-service', 'itinerary-service', 'booking-notifier', 'kestrel-web', 'kestrel-admin',
  'inventory-service', 'supplier-sync', 'payment-gateway', 'ledger-service', 'payments-js-sdk',
  'fraud-scorer', 'risk-console', 'kestrel-go-kit', 'design-system', 'deploy-bot',
]);
const SYSTEMS = sorted(['booking', 'inventory', 'payments', 'risk', 'developer-platform']);
const WEBSITES = sorted(['kestrel-web', 'kestrel-admin', 'risk-console']);
const API_PROVIDERS = sorted(['booking-service', 'itinerary-service', 'inventory-service', 'payment-gateway', 'fraud-scorer']);
const USER_COUNT = 21;
const GROUP_COUNT = 9;

/** Polls fn until it returns a truthy value, for at most timeoutMs. */
async function eventually(what, fn, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      assert.fail(`timed out waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    }
    await new Promise(resolve => setTimeout(resolve, 200));
  }
}

describe('getEntities', () => {
  test('filter by kind', async () => {
    const { items } = await client.getEntities({ filter: { kind: 'component' } });
    assert.deepEqual(sorted(names(items)), COMPONENTS);
    for (const e of items) {
      assert.equal(e.kind, 'Component');
      assert.equal(e.metadata.namespace, 'default');
      assert.ok(e.metadata.uid, 'entities carry metadata.uid');
      assert.ok(e.metadata.etag, 'entities carry metadata.etag');
      assert.ok(Array.isArray(e.relations), 'entities carry relations');
    }
  });

  test('several filters are ORed, keys within one are ANDed, values are case-insensitive', async () => {
    const { items } = await client.getEntities({ filter: [{ kind: 'Group' }, { kind: 'user' }] });
    assert.equal(items.filter(e => e.kind === 'Group').length, GROUP_COUNT);
    assert.equal(items.filter(e => e.kind === 'User').length, USER_COUNT);
    assert.equal(items.length, GROUP_COUNT + USER_COUNT);

    const websites = await client.getEntities({ filter: { kind: 'component', 'spec.type': 'WEBSITE' } });
    assert.deepEqual(sorted(names(websites.items)), WEBSITES);

    const twoTypes = await client.getEntities({ filter: { kind: 'component', 'spec.type': ['website', 'library'] } });
    assert.equal(twoTypes.items.length, 6);
  });

  test('exists filter, tags and relations', async () => {
    const providers = await client.getEntities({ filter: { kind: 'component', 'spec.providesApis': CATALOG_FILTER_EXISTS } });
    assert.deepEqual(sorted(names(providers.items)), API_PROVIDERS);

    const pci = await client.getEntities({ filter: { 'metadata.tags': 'pci' } });
    assert.ok(names(pci.items).includes('payment-gateway'));
    assert.ok(names(pci.items).includes('ledger-db'));

    const owned = await client.getEntities({ filter: { kind: 'component', 'relations.ownedBy': 'group:default/web-team' } });
    assert.deepEqual(sorted(names(owned.items)), ['kestrel-admin', 'kestrel-web']);
  });

  test('fields select parts of entities', async () => {
    const { items } = await client.getEntities({ filter: { kind: 'system' }, fields: ['kind', 'metadata.name'] });
    assert.equal(items.length, SYSTEMS.length);
    for (const e of items) {
      assert.deepEqual(Object.keys(e).sort(), ['kind', 'metadata']);
      assert.deepEqual(Object.keys(e.metadata), ['name']);
    }
  });

  test('order, offset and limit', async () => {
    const desc = await client.getEntities({ filter: { kind: 'system' }, order: { field: 'metadata.name', order: 'desc' } });
    assert.deepEqual(names(desc.items), [...SYSTEMS].reverse());

    const all = await client.getEntities({ filter: { kind: 'user' }, order: [{ field: 'metadata.name', order: 'asc' }] });
    assert.equal(all.items.length, USER_COUNT);
    assert.deepEqual(names(all.items), sorted(names(all.items)));

    const page = await client.getEntities({ filter: { kind: 'user' }, order: { field: 'metadata.name', order: 'asc' }, offset: 5, limit: 5 });
    assert.deepEqual(names(page.items), names(all.items).slice(5, 10));
  });

  test('after continues where the Link header points', async () => {
    const url = `${baseUrl}/api/catalog/entities?filter=kind=user&order=asc:metadata.name&limit=5`;
    const res = await fetchApi.fetch(url);
    assert.equal(res.status, 200);
    const link = res.headers.get('link');
    assert.ok(link, 'a limited list with more data has a Link header');
    const next = /<([^>]+)>;\s*rel="next"/.exec(link);
    assert.ok(next, `Link header ${link} has rel="next"`);
    const afterCursor = new URL(next[1], 'http://x').searchParams.get('after');
    assert.ok(afterCursor, 'the next link carries after=');

    const all = await client.getEntities({ filter: { kind: 'user' }, order: { field: 'metadata.name', order: 'asc' } });
    const page = await client.getEntities({ filter: { kind: 'user' }, order: { field: 'metadata.name', order: 'asc' }, limit: 5, after: afterCursor });
    assert.deepEqual(names(page.items), names(all.items).slice(5, 10));
  });
});

describe('getEntitiesByRefs', () => {
  test('keeps order and leaves holes for unknown refs', async () => {
    const { items } = await client.getEntitiesByRefs({
      entityRefs: ['component:default/booking-service', 'user:default/nobody-at-all', 'Group:default/booking-team'],
    });
    assert.equal(items.length, 3);
    assert.equal(items[0].metadata.name, 'booking-service');
    assert.equal(items[1], undefined);
    assert.equal(items[2].metadata.name, 'booking-team');
  });

  test('fields and filter', async () => {
    const { items } = await client.getEntitiesByRefs({
      entityRefs: ['component:default/kestrel-web', 'component:default/booking-service'],
      fields: ['metadata.name', 'spec.type'],
      filter: { 'spec.type': 'website' },
    });
    assert.deepEqual(items[0], { metadata: { name: 'kestrel-web' }, spec: { type: 'website' } });
    assert.equal(items[1], undefined);
  });
});

describe('queryEntities', () => {
  test('cursor paging forwards and backwards', async () => {
    const first = await client.queryEntities({
      filter: { kind: 'user' },
      limit: 8,
      orderFields: { field: 'metadata.name', order: 'asc' },
    });
    assert.equal(first.totalItems, USER_COUNT);
    assert.equal(first.items.length, 8);
    assert.ok(first.pageInfo.nextCursor);
    assert.equal(first.pageInfo.prevCursor, undefined);

    const second = await client.queryEntities({ cursor: first.pageInfo.nextCursor, limit: 8 });
    assert.equal(second.items.length, 8);
    assert.ok(second.pageInfo.prevCursor);
    const third = await client.queryEntities({ cursor: second.pageInfo.nextCursor });
    assert.equal(third.items.length, USER_COUNT - 16);
    assert.equal(third.pageInfo.nextCursor, undefined);

    const all = [...names(first.items), ...names(second.items), ...names(third.items)];
    assert.deepEqual(all, sorted(all));
    assert.equal(new Set(all).size, USER_COUNT);

    const back = await client.queryEntities({ cursor: second.pageInfo.prevCursor, limit: 8 });
    assert.deepEqual(names(back.items), names(first.items));
  });

  test('descending order, fields and offset', async () => {
    const res = await client.queryEntities({
      filter: { kind: 'component' },
      orderFields: [{ field: 'metadata.name', order: 'desc' }],
      fields: ['metadata.name'],
      offset: 2,
      limit: 3,
    });
    assert.equal(res.totalItems, COMPONENTS.length);
    assert.deepEqual(res.items, [...COMPONENTS].reverse().slice(2, 5).map(name => ({ metadata: { name } })));
  });

  test('full text filter', async () => {
    const res = await client.queryEntities({
      filter: { kind: 'component' },
      fullTextFilter: { term: '  KESTREL ', fields: ['metadata.name'] },
      orderFields: { field: 'metadata.name', order: 'asc' },
    });
    assert.deepEqual(names(res.items), ['kestrel-admin', 'kestrel-go-kit', 'kestrel-web']);
    assert.equal(res.totalItems, 3);
  });
});

test('streamEntities pages through everything', async () => {
  const pages = [];
  for await (const page of client.streamEntities({ filter: { kind: 'component' }, pageSize: 4 })) {
    pages.push(page);
  }
  assert.ok(pages.length >= 4, `${pages.length} pages of at most 4`);
  for (const page of pages) assert.ok(page.length <= 4);
  assert.deepEqual(sorted(pages.flat().map(e => e.metadata.name)), COMPONENTS);
});

describe('getEntityByRef', () => {
  test('a component with its relations and annotations', async () => {
    const e = await client.getEntityByRef('component:default/booking-service');
    assert.equal(e.spec.owner, 'booking-team');
    const rel = new Set(e.relations.map(r => `${r.type} ${r.targetRef}`));
    for (const want of [
      'ownedBy group:default/booking-team',
      'partOf system:default/booking',
      'providesApi api:default/bookings-api',
      'consumesApi api:default/payments-grpc',
      'dependsOn resource:default/bookings-db',
      'dependsOn resource:default/production-cluster',
    ]) {
      assert.ok(rel.has(want), `relations include ${want}: ${[...rel].join(', ')}`);
    }
    const loc = e.metadata.annotations['backstage.io/managed-by-location'];
    assert.match(loc, /^file:.*examples\/components\/booking-service\/catalog-info\.yaml$/);
    assert.match(e.metadata.annotations['backstage.io/managed-by-origin-location'], /^file:.*examples\/catalog-info\.yaml$/);
    assert.equal(e.metadata.annotations['backstage.io/techdocs-ref'], 'dir:.');
  });

  test('inverse relations and a resolved $text definition', async () => {
    const group = await client.getEntityByRef({ kind: 'group', namespace: 'default', name: 'booking-team' });
    const rel = new Set(group.relations.map(r => `${r.type} ${r.targetRef}`));
    assert.ok(rel.has('ownerOf component:default/booking-service'));
    assert.ok(rel.has('hasMember user:default/amara.okafor'));
    assert.ok(rel.has('childOf group:default/engineering'));

    const api = await client.getEntityByRef('api:default/bookings-api');
    assert.equal(typeof api.spec.definition, 'string');
    assert.match(api.spec.definition, /operationId: createBooking/);
    const grpc = await client.getEntityByRef('api:default/payments-grpc');
    assert.match(grpc.spec.definition, /service Payments/);
  });

  test('unknown entity is undefined', async () => {
    assert.equal(await client.getEntityByRef('component:default/does-not-exist'), undefined);
  });
});

test('getEntityAncestors walks up to the generated root location', async () => {
  const res = await client.getEntityAncestors({ entityRef: 'component:default/booking-service' });
  assert.equal(res.rootEntityRef, 'component:default/booking-service');
  assert.equal(refOf(res.items[0].entity), 'component:default/booking-service');
  assert.deepEqual(res.items[0].parentEntityRefs, ['location:default/kestrel-travel']);
  const byRef = new Map(res.items.map(i => [refOf(i.entity), i]));
  const kestrel = byRef.get('location:default/kestrel-travel');
  assert.ok(kestrel, 'the examples root Location is an ancestor');
  assert.equal(kestrel.parentEntityRefs.length, 1);
  assert.match(kestrel.parentEntityRefs[0], /^location:default\/generated-[0-9a-f]{40}$/);
  const root = byRef.get(kestrel.parentEntityRefs[0]);
  assert.ok(root, 'the generated Location is an ancestor');
  assert.deepEqual(root.parentEntityRefs, []);
});

test('getEntityFacets counts original-case values', async () => {
  const { facets } = await client.getEntityFacets({ facets: ['kind', 'spec.type'], filter: { kind: 'component' } });
  assert.deepEqual(facets.kind, [{ value: 'Component', count: COMPONENTS.length }]);
  const types = Object.fromEntries(facets['spec.type'].map(f => [f.value, f.count]));
  assert.deepEqual(types, { service: 9, website: 3, library: 3 });

  const all = await client.getEntityFacets({ facets: ['kind'] });
  const kinds = Object.fromEntries(all.facets.kind.map(f => [f.value, f.count]));
  assert.equal(kinds.User, USER_COUNT);
  assert.equal(kinds.Group, GROUP_COUNT);
  assert.equal(kinds.API, 6);
  assert.equal(kinds.Template, 2);
});

describe('refreshEntity', () => {
  test('an existing entity', async () => {
    await client.refreshEntity('component:default/booking-service');
  });
  test('an unknown entity is an error', async () => {
    await assert.rejects(client.refreshEntity('component:default/does-not-exist'));
  });
});

describe('validateEntity', () => {
  const location = 'url:https://github.com/kestrel/booking-service/blob/main/catalog-info.yaml';
  test('valid', async () => {
    const res = await client.validateEntity({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: 'new-service' },
      spec: { type: 'service', lifecycle: 'experimental', owner: 'booking-team' },
    }, location);
    assert.deepEqual(res, { valid: true });
  });
  test('invalid', async () => {
    const res = await client.validateEntity({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: 'new-service' },
      spec: { type: 'service', lifecycle: 'experimental' },
    }, location);
    assert.equal(res.valid, false);
    assert.ok(res.errors.length > 0);
    assert.match(res.errors.map(e => e.message).join('\n'), /owner/);
  });
});

describe('registered locations', { skip: fixtureUrl ? false : 'FIXTURE_URL is not set' }, () => {
  const target = `${fixtureUrl}/probe-catalog-info.yaml`;
  const locationRef = `url:${target}`;
  let location;

  before(async () => {
    // A previous, interrupted run may have left the location behind.
    const stale = await client.getLocationByRef(locationRef);
    if (stale) await client.removeLocationById(stale.id);
  });
  after(async () => {
    if (location) await client.removeLocationById(location.id).catch(() => {});
  });

  test('analyzeLocation finds the descriptor', async () => {
    const res = await client.analyzeLocation({ location: { type: 'url', target } });
    assert.ok(Array.isArray(res.existingEntityFiles));
    assert.ok(Array.isArray(res.generateEntities));
    const found = res.existingEntityFiles.find(f => f.entity.metadata.name === 'compat-probe');
    assert.ok(found, `compat-probe among ${JSON.stringify(res.existingEntityFiles)}`);
    assert.equal(found.isRegistered, false);
  });

  test('addLocation dry run stores nothing', async () => {
    const res = await client.addLocation({ type: 'url', target, dryRun: true });
    assert.equal(res.location.type, 'url');
    assert.equal(res.location.target, target);
    assert.equal(res.exists, false);
    const kinds = res.entities.map(e => `${e.kind}:${e.metadata.name}`);
    assert.ok(kinds.includes('Component:compat-probe'), `dry run entities: ${kinds.join(', ')}`);
    assert.equal(await client.getLocationByRef(locationRef), undefined);
  });

  test('addLocation, the location getters, removeEntityByUid and removeLocationById', async () => {
    const added = await client.addLocation({ target });
    location = added.location;
    assert.equal(location.type, 'url');
    assert.equal(location.target, target);
    assert.ok(location.id);

    await assert.rejects(client.addLocation({ target }), /already exists|409|Conflict/i);

    const byId = await client.getLocationById(location.id);
    assert.deepEqual([byId.id, byId.type, byId.target], [location.id, 'url', target]);
    assert.equal((await client.getLocationByRef(locationRef)).id, location.id);
    const { items } = await client.getLocations();
    assert.ok(items.some(l => l.id === location.id && l.target === target));
    if (typeof client.queryLocations === 'function') {
      const q = await client.queryLocations({ limit: 100 });
      assert.ok(q.items.some(l => l.id === location.id));
      assert.equal(typeof q.totalItems, 'number');
    }

    const probe = await eventually('the registered component to be ingested',
      () => client.getEntityByRef('component:default/compat-probe'));
    assert.match(probe.metadata.annotations['backstage.io/managed-by-origin-location'], new RegExp(`^url:${target.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
    assert.equal((await client.getLocationByEntity('component:default/compat-probe')).id, location.id);
    assert.equal(await client.getLocationByEntity('component:default/booking-service'), undefined,
      'entities of config locations have no registered location');

    await client.removeEntityByUid(probe.metadata.uid);
    const afterDelete = await client.getEntityByRef('component:default/compat-probe');
    assert.ok(afterDelete === undefined || afterDelete.metadata.uid !== probe.metadata.uid,
      'the deleted entity is gone (it may come back with a new uid when its location is processed again)');

    await client.removeLocationById(location.id);
    const removedId = location.id;
    location = undefined;
    assert.equal(await client.getLocationById(removedId), undefined);
    await eventually('the entities of the removed location to disappear',
      async () => (await client.getEntityByRef('component:default/compat-probe')) === undefined);
  });

  test('unknown location ids', async () => {
    assert.equal(await client.getLocationById('00000000-0000-4000-8000-000000000000'), undefined);
    await assert.rejects(client.removeLocationById('00000000-0000-4000-8000-000000000000'));
  });
});
