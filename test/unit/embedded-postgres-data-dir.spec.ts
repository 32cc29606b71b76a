import path from 'node:path';
import {
  ancestorChain,
  canTraverse,
  type DirPermissions,
  fallbackDataDir,
  firstUntraversable,
} from '../../infra/postgres/embedded-postgres';

// The ids of a typical machine: root, and the postgres account with its primary group only (as the server runs).
const ROOT = 0;
const POSTGRES_UID = 101;
const POSTGRES_GID = 104;
const postgres = { uid: POSTGRES_UID, gids: [POSTGRES_GID] };

const dir = (p: string, uid: number, gid: number, mode: number): DirPermissions => ({ path: p, uid, gid, mode });

describe('fallbackDataDir', () => {
  it('keeps the requested folder name under a per-path folder in the base', () => {
    const fallback = fallbackDataDir('/root/clone/.data/postgres', '/var/tmp');
    expect(fallback).toMatch(/^\/var\/tmp\/uplift-pg-[0-9a-f]{8}\/postgres$/);
  });

  it('is the same on every start, so a persistent cluster finds its data again', () => {
    expect(fallbackDataDir('/root/clone/.data/postgres', '/var/tmp')).toBe(
      fallbackDataDir('/root/clone/.data/postgres', '/var/tmp'),
    );
  });

  it('depends on the absolute path, not on how it was spelled', () => {
    const absolute = fallbackDataDir('/root/clone/.data/postgres', '/var/tmp');
    expect(fallbackDataDir('/root/clone/.data/../.data/postgres/', '/var/tmp')).toBe(absolute);
    const relative = path.relative(process.cwd(), '/root/clone/.data/postgres');
    expect(fallbackDataDir(relative, '/var/tmp')).toBe(absolute);
  });

  it('keeps two clones with the same folder name apart', () => {
    const a = fallbackDataDir('/root/a/.data/postgres', '/var/tmp');
    const b = fallbackDataDir('/root/b/.data/postgres', '/var/tmp');
    expect(path.basename(a)).toBe(path.basename(b));
    expect(path.dirname(a)).not.toBe(path.dirname(b));
  });

  it('uses the same folder name under another base', () => {
    const varTmp = fallbackDataDir('/root/clone/.data/postgres', '/var/tmp');
    const tmp = fallbackDataDir('/root/clone/.data/postgres', '/tmp');
    expect(path.relative('/var/tmp', varTmp)).toBe(path.relative('/tmp', tmp));
  });
});

describe('canTraverse', () => {
  it('lets root through whatever the bits say', () => {
    expect(canTraverse(dir('/root', ROOT, ROOT, 0o000), { uid: ROOT, gids: [ROOT] })).toBe(true);
  });

  it('refuses a 700 folder owned by someone else', () => {
    expect(canTraverse(dir('/root', ROOT, ROOT, 0o700), postgres)).toBe(false);
  });

  it('lets anyone through on the other x bit alone', () => {
    expect(canTraverse(dir('/root', ROOT, ROOT, 0o701), postgres)).toBe(true);
    expect(canTraverse(dir('/root', ROOT, ROOT, 0o755), postgres)).toBe(true);
  });

  it('uses only the owner bits for the owner, even when others may enter', () => {
    expect(canTraverse(dir('/d', POSTGRES_UID, ROOT, 0o700), postgres)).toBe(true);
    expect(canTraverse(dir('/d', POSTGRES_UID, ROOT, 0o077), postgres)).toBe(false);
  });

  it('uses only the group bits for a member of the group', () => {
    expect(canTraverse(dir('/d', ROOT, POSTGRES_GID, 0o710), postgres)).toBe(true);
    expect(canTraverse(dir('/d', ROOT, POSTGRES_GID, 0o701), postgres)).toBe(false);
  });

  it('counts every group the process holds, not just the first', () => {
    const sslCert = 103;
    expect(canTraverse(dir('/d', ROOT, sslCert, 0o750), { uid: POSTGRES_UID, gids: [POSTGRES_GID, sslCert] })).toBe(true);
    expect(canTraverse(dir('/d', ROOT, sslCert, 0o750), postgres)).toBe(false);
  });

  it('ignores the read bit: entering a folder needs x', () => {
    expect(canTraverse(dir('/d', ROOT, ROOT, 0o744), postgres)).toBe(false);
  });

  it('ignores the file type and special bits above the permissions', () => {
    // What fs.stat reports for /tmp: a directory (0o040000) with the sticky bit.
    expect(canTraverse(dir('/tmp', ROOT, ROOT, 0o041777), postgres)).toBe(true);
    expect(canTraverse(dir('/root', ROOT, ROOT, 0o040700), postgres)).toBe(false);
  });
});

describe('firstUntraversable', () => {
  const chain = [dir('/', ROOT, ROOT, 0o755), dir('/root', ROOT, ROOT, 0o700), dir('/root/clone', ROOT, ROOT, 0o700)];

  it('names the outermost folder that blocks the way', () => {
    expect(firstUntraversable(chain, postgres)?.path).toBe('/root');
  });

  it('finds nothing when every folder may be entered', () => {
    const open = chain.map((d) => ({ ...d, mode: 0o755 }));
    expect(firstUntraversable(open, postgres)).toBeUndefined();
  });

  it('finds a blocker deeper down once the outer folders are open', () => {
    const opened = [chain[0], { ...chain[1], mode: 0o711 }, chain[2]];
    expect(firstUntraversable(opened, postgres)?.path).toBe('/root/clone');
  });

  it('finds nothing in an empty list', () => {
    expect(firstUntraversable([], postgres)).toBeUndefined();
  });
});

describe('ancestorChain', () => {
  it('lists every folder from the root down, the folder itself last', () => {
    expect(ancestorChain('/root/clone/.data')).toEqual(['/', '/root', '/root/clone', '/root/clone/.data']);
  });

  it('is just the root for the root', () => {
    expect(ancestorChain('/')).toEqual(['/']);
  });
});
