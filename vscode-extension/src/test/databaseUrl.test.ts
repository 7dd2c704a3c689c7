import * as assert from 'node:assert/strict';

import {
  credentialTarget,
  hasPassword,
  injectPassword,
  parseDatabaseUrl,
  passwordSecretKey,
  redactUrl,
} from '../common/databaseUrl';

describe('injectPassword', () => {
  it('puts the password into the user info', () => {
    assert.equal(injectPassword('postgresql://user@host/db', 'pw'), 'postgresql://user:pw@host/db');
  });

  it('keeps port, query and fragment', () => {
    assert.equal(
      injectPassword('postgres://attune@db.example:6543/attune?sslmode=require#x', 'pw'),
      'postgres://attune:pw@db.example:6543/attune?sslmode=require#x',
    );
  });

  it('percent-encodes every character that means something in a URL, "%" included', () => {
    const password = 'p@ss:w/rd?#%41 é&=+';
    const url = injectPassword('postgresql://user@host/db', password);
    assert.equal(url, `postgresql://user:${encodeURIComponent(password)}@host/db`);
    assert.equal(url, 'postgresql://user:p%40ss%3Aw%2Frd%3F%23%2541%20%C3%A9%26%3D%2B@host/db');
    // And it reads back as the same password.
    const parsed = parseDatabaseUrl(url);
    assert.equal(decodeURIComponent(parsed?.password ?? ''), password);
    assert.equal(parsed?.hostPort, 'host');
    assert.equal(parsed?.rest, '/db');
  });

  it('adds the password to a URL without a user', () => {
    assert.equal(injectPassword('postgresql://host:5432/db', 'pw'), 'postgresql://:pw@host:5432/db');
  });

  it('handles IPv6 hosts and Unix-socket URLs', () => {
    assert.equal(injectPassword('postgresql://u@[::1]:5432/db', 'pw'), 'postgresql://u:pw@[::1]:5432/db');
    assert.equal(
      injectPassword('postgresql://u@/db?host=/var/run/postgresql', 'pw'),
      'postgresql://u:pw@/db?host=/var/run/postgresql',
    );
  });

  it('leaves the URL alone when no password is stored', () => {
    assert.equal(injectPassword('postgresql://user@host/db', undefined), 'postgresql://user@host/db');
    assert.equal(injectPassword('postgresql://user@host/db', ''), 'postgresql://user@host/db');
  });

  it('leaves the URL alone when it already has a password', () => {
    assert.equal(injectPassword('postgresql://user:own@host/db', 'pw'), 'postgresql://user:own@host/db');
    assert.equal(injectPassword('postgresql://user:@host/db', 'pw'), 'postgresql://user:@host/db');
    assert.equal(injectPassword('postgresql://user@host/db?password=own', 'pw'), 'postgresql://user@host/db?password=own');
  });

  it('leaves what is not a URL alone', () => {
    assert.equal(injectPassword('host=db user=attune', 'pw'), 'host=db user=attune');
    assert.equal(injectPassword('', 'pw'), '');
  });
});

describe('hasPassword and redactUrl', () => {
  it('tells whether a URL has a password', () => {
    assert.equal(hasPassword('postgresql://u:p@h/d'), true);
    assert.equal(hasPassword('postgresql://u@h/d?sslmode=require&password=p'), true);
    assert.equal(hasPassword('postgresql://u@h/d'), false);
    assert.equal(hasPassword('not a url'), false);
  });

  it('masks the password wherever it is written', () => {
    assert.equal(redactUrl('postgresql://u:secret@h:5432/d'), 'postgresql://u:********@h:5432/d');
    assert.equal(redactUrl('postgresql://u@h/d?password=secret&x=1'), 'postgresql://u@h/d?password=********&x=1');
    assert.equal(redactUrl('postgresql://u@h/d'), 'postgresql://u@h/d');
    // A password holding "@" (typed unencoded) is masked whole.
    assert.equal(redactUrl('postgresql://u:se@cret@h/d'), 'postgresql://u:********@h/d');
  });
});

describe('the password is bound to a user and a host', () => {
  it('names the target without the database', () => {
    assert.equal(credentialTarget('postgresql://attune@DB.example:5432/attune'), 'attune@db.example:5432');
    assert.equal(credentialTarget('postgresql://attune@db.example:5432/other'), 'attune@db.example:5432');
    assert.equal(credentialTarget('postgresql://a%40b@h/d'), 'a@b@h');
    assert.equal(credentialTarget('host=db'), undefined);
  });

  it('uses a different secret for another host, user or port', () => {
    const mine = passwordSecretKey('postgresql://attune@localhost:5432/attune');
    assert.equal(mine, 'attune.databasePassword/attune@localhost:5432');
    for (const other of [
      'postgresql://attune@evil.example:5432/attune',
      'postgresql://postgres@localhost:5432/attune',
      'postgresql://attune@localhost:6543/attune',
    ]) {
      assert.notEqual(passwordSecretKey(other), mine, other);
    }
    assert.equal(passwordSecretKey('postgresql://attune@localhost:5432/another_db'), mine);
  });
});
