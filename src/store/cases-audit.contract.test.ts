import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyChain } from '../audit/audit-chain.js';
import { createAuditor } from '../audit/auditor.js';
import type { Actor } from '../cases/approval.js';
import { type CaseService, createCaseService } from '../cases/case-service.js';
import { seedCounty } from '../testing/seed.js';
import { type StoreFixture, storeKinds } from '../testing/stores.js';

/** Cases, approvals, users and the audit log: the same tests on SQLite and PostgreSQL. */

const investigator: Actor = { name: 'li', unit: 'fund-supervision', handlerId: undefined };
const colleague: Actor = { name: 'zhao', unit: 'fund-supervision', handlerId: undefined };
const auditorOutside: Actor = { name: 'qian', unit: 'discipline-inspection', handlerId: undefined };
const handlerH1: Actor = { name: 'zhang', unit: 'station-east', handlerId: 'H1' };

const KINDS = await storeKinds('cases and audit');

describe.each(KINDS)('cases on $name', (kind) => {
  let fixture: StoreFixture;
  let cases: CaseService;
  let now: number;
  beforeEach(async () => {
    if (kind.skip) return;
    fixture = await kind.open();
    await seedCounty(fixture.store);
    now = 1_700_000_000_000;
    let n = 0;
    cases = createCaseService({
      cases: fixture.store.cases,
      suspects: fixture.store.cases,
      alerts: fixture.store.cases,
      clock: () => (now += 1000),
      randomId: () => (n++).toString(16).toUpperCase().padStart(8, '0'),
    });
  });
  afterEach(async () => {
    if (!kind.skip) await fixture.cleanup();
  });
  const run = kind.skip ? it.skip : it;

  run('a finding opens a case; the same finding and an alert on the same beneficiary join it', async () => {
    const first = await cases.openFromSuspect(investigator, 'B1');
    expect(first).toMatchObject({ ok: true, value: { created: true } });
    const caseId = first.ok ? first.value.caseId : '';
    expect(await cases.openFromSuspect(investigator, 'B1')).toEqual({
      ok: true,
      value: { caseId, created: false },
    });
    expect(await cases.openFromAlert(investigator, 'AL-000000000000000000000001')).toEqual({
      ok: true,
      value: { caseId, created: false },
    });
    const detail = await fixture.store.cases.getCase(caseId);
    expect(detail).toMatchObject({
      status: 'open',
      subjectType: 'beneficiary',
      subjectId: 'B1',
      beneficiaryIds: ['B1'],
      amountAtRiskFen: 480_000,
      amountRecoveredFen: 0,
    });
    expect(detail?.links.map((l) => l.kind).sort()).toEqual(['alert', 'suspect']);
    expect(await cases.openFromSuspect(investigator, 'B9')).toMatchObject({
      ok: false,
      issues: [{ code: 'not_found' }],
    });
  });

  run('two people opening the same finding at once get one case', async () => {
    const outcomes = await Promise.all([1, 2, 3, 4].map(() => cases.openFromSuspect(investigator, 'B2')));
    const ids = new Set(outcomes.map((o) => (o.ok ? o.value.caseId : 'failed')));
    expect(ids.size).toBe(1);
    expect(
      (await fixture.store.cases.listCases({ offset: 0, limit: 10, sort: 'opened_at', order: 'asc' })).total,
    ).toBe(1);
  });

  run('a case opened by hand needs no finding; lists are paged and sorted on the server', async () => {
    for (const [subject, amount] of [
      ['B3', 100],
      ['B2', 300],
      ['B1', 200],
    ] as const) {
      const opened = await cases.openManual(investigator, {
        subjectType: 'beneficiary',
        subjectId: subject,
        title: `tip-off about ${subject}`,
        beneficiaryIds: [],
        amountAtRiskFen: amount,
        reference: 'letter',
      });
      expect(opened.ok).toBe(true);
    }
    const page = await fixture.store.cases.listCases({
      offset: 1,
      limit: 1,
      sort: 'amount_at_risk',
      order: 'desc',
    });
    expect(page.total).toBe(3);
    expect(page.items.map((c) => [c.subjectId, c.amountAtRiskFen, c.beneficiaryIds])).toEqual([
      ['B1', 200, ['B1']],
    ]);
    const exported: string[] = [];
    for await (const batch of fixture.store.cases.readCases({ batchSize: 2 }))
      exported.push(...batch.map((c) => c.subjectId));
    expect(exported.sort()).toEqual(['B1', 'B2', 'B3']);
  });

  run(
    'the workflow refuses invalid moves and a closure with money at stake waits for another unit',
    async () => {
      const opened = await cases.openFromSuspect(investigator, 'B1');
      const caseId = opened.ok ? opened.value.caseId : '';
      expect(await cases.transition(investigator, caseId, 'closed', 'done')).toMatchObject({
        ok: false,
        issues: [{ code: 'case.invalid_transition' }],
      });
      for (const to of ['investigating', 'confirmed', 'recovery'] as const) {
        expect(await cases.transition(investigator, caseId, to, `to ${to}`)).toEqual({
          ok: true,
          value: { kind: 'done', status: to },
        });
      }
      expect(
        await cases.addRecovery(investigator, caseId, {
          kind: 'recovered',
          route: undefined,
          amountFen: 10,
          note: 'x',
        }),
      ).toMatchObject({ ok: false, issues: [{ code: 'recovery.route_required' }] });
      expect(
        (
          await cases.addRecovery(investigator, caseId, {
            kind: 'due',
            route: undefined,
            amountFen: 480_000,
            note: 'all of it',
          })
        ).ok,
      ).toBe(true);
      expect(
        (
          await cases.addRecovery(investigator, caseId, {
            kind: 'recovered',
            route: 'bank_reclamation',
            amountFen: 300_000,
            note: 'bank',
          })
        ).ok,
      ).toBe(true);
      expect(
        (
          await cases.addAccountability(investigator, caseId, {
            handlerId: 'H1',
            disposition: 'referred',
            note: '移送司法机关',
          })
        ).ok,
      ).toBe(true);
      const closing = await cases.transition(investigator, caseId, 'closed', 'recovered what could be');
      expect(closing).toMatchObject({
        ok: true,
        value: { kind: 'pending', approval: { action: 'case.close', status: 'pending' } },
      });
      const approvalId =
        closing.ok && closing.value.kind === 'pending' ? closing.value.approval.approvalId : '';
      expect(await cases.transition(investigator, caseId, 'closed', 'again')).toMatchObject({
        ok: false,
        issues: [{ code: 'approval.already_pending' }],
      });
      expect(await cases.decide(investigator, approvalId, 'approved', 'me')).toMatchObject({
        ok: false,
        issues: [{ code: 'four_eyes.same_user' }],
      });
      expect(await cases.decide(colleague, approvalId, 'approved', 'same unit')).toMatchObject({
        ok: false,
        issues: [{ code: 'four_eyes.same_unit' }],
      });
      expect(
        await cases.decide({ ...auditorOutside, unit: undefined }, approvalId, 'approved', 'no unit'),
      ).toMatchObject({
        ok: false,
        issues: [{ code: 'four_eyes.no_unit' }],
      });
      expect((await fixture.store.cases.getCase(caseId))?.status).toBe('recovery');
      expect(await cases.decide(auditorOutside, approvalId, 'approved', 'checked')).toMatchObject({
        ok: true,
        value: { approval: { status: 'approved', decidedBy: 'qian' } },
      });
      const closed = await fixture.store.cases.getCase(caseId);
      expect(closed).toMatchObject({ status: 'closed', amountRecoveredFen: 300_000 });
      expect(closed?.events.at(-1)).toMatchObject({
        kind: 'transition',
        to: 'closed',
        by: 'li',
        approvedBy: 'qian',
      });
      expect(closed?.accountability).toMatchObject([{ handlerId: 'H1', disposition: 'referred' }]);
      expect(await cases.addNote(investigator, caseId, 'late')).toMatchObject({
        ok: false,
        issues: [{ code: 'case.closed' }],
      });
      expect(await cases.decide(auditorOutside, approvalId, 'approved', 'twice')).toMatchObject({
        ok: false,
        issues: [{ code: 'approval.decided' }],
      });
      // A closed subject may open a new case.
      expect(await cases.openFromSuspect(investigator, 'B1')).toMatchObject({
        ok: true,
        value: { created: true },
      });
    },
  );

  run('a case with nothing at stake closes without a second person', async () => {
    const opened = await cases.openManual(investigator, {
      subjectType: 'terminal',
      subjectId: 'ATM-430422-0007',
      title: 'odd withdrawals',
      beneficiaryIds: [],
      amountAtRiskFen: 0,
      reference: 'bank call',
    });
    const caseId = opened.ok ? opened.value.caseId : '';
    for (const to of ['investigating', 'dismissed', 'closed'] as const) {
      expect(await cases.transition(investigator, caseId, to, 'n/a')).toMatchObject({
        ok: true,
        value: { kind: 'done' },
      });
    }
  });

  run('a handler (or a colleague of the same unit) never acts on that handler’s beneficiaries', async () => {
    expect(await cases.openFromSuspect(handlerH1, 'B1')).toMatchObject({
      ok: false,
      issues: [{ code: 'conflict_of_interest' }],
    });
    const sameUnit: Actor = { name: 'wu', unit: 'station-east', handlerId: undefined };
    expect(await cases.openFromSuspect(sameUnit, 'B1')).toMatchObject({
      ok: false,
      issues: [{ code: 'conflict_of_interest' }],
    });
    const opened = await cases.openFromSuspect(investigator, 'B1');
    const caseId = opened.ok ? opened.value.caseId : '';
    expect(await cases.addNote(handlerH1, caseId, 'nothing to see')).toMatchObject({
      ok: false,
      issues: [{ code: 'conflict_of_interest' }],
    });
    expect(await cases.requestBenefitAction(handlerH1, 'B1', 'reactivate', 'alive')).toMatchObject({
      ok: false,
      issues: [{ code: 'conflict_of_interest' }],
    });
    // H1 may act on H2's beneficiaries.
    expect((await cases.openFromSuspect(handlerH1, 'B2')).ok).toBe(true);
    // A suspension asked by someone else cannot be approved by the handler either.
    const asked = await cases.requestBenefitAction(investigator, 'B1', 'suspend', 'two sources');
    const approvalId = asked.ok ? asked.value.approvalId : '';
    expect(await cases.decide(handlerH1, approvalId, 'approved', 'fine')).toMatchObject({
      ok: false,
      issues: [{ code: 'conflict_of_interest' }],
    });
  });

  run('suspending a benefit needs a second person; the approved order is recorded', async () => {
    const asked = await cases.requestBenefitAction(investigator, 'B2', 'suspend', 'cremation record');
    expect(asked).toMatchObject({
      ok: true,
      value: { action: 'benefit.suspend', target: 'beneficiary:B2', status: 'pending' },
    });
    const approvalId = asked.ok ? asked.value.approvalId : '';
    expect(await fixture.store.cases.listBenefitOrders('B2')).toEqual([]);
    expect((await cases.decide(auditorOutside, approvalId, 'approved', 'ok')).ok).toBe(true);
    expect(await fixture.store.cases.listBenefitOrders('B2')).toMatchObject([
      { action: 'suspend', requestedBy: 'li', approvedBy: 'qian', approvalId },
    ]);
    const pending = await fixture.store.cases.listApprovals({ offset: 0, limit: 10, status: 'pending' });
    expect(pending.total).toBe(0);
  });

  run('users, tokens and sessions are stored, names unique', async () => {
    const users = fixture.store.users;
    const base = {
      role: 'investigator' as const,
      unit: 'u',
      handlerId: undefined,
      createdAt: 1,
      disabled: false,
    };
    expect(await users.createUser({ ...base, userId: 'u1', name: 'li', passwordHash: 'h' })).toMatchObject({
      name: 'li',
    });
    expect(await users.createUser({ ...base, userId: 'u2', name: 'li', passwordHash: 'h' })).toBeUndefined();
    expect(await users.findUserByName('li')).toMatchObject({ userId: 'u1', passwordHash: 'h', unit: 'u' });
    await users.addApiToken({
      tokenId: 'abcdefghijkl',
      userId: 'u1',
      createdAt: 1,
      revoked: false,
      secretHash: 'ff',
    });
    expect(await users.revokeApiToken('abcdefghijkl')).toBe(true);
    expect(await users.findApiToken('abcdefghijkl')).toMatchObject({ revoked: true });
    await users.createSession('s1', { userId: 'u1', csrfToken: 'c', createdAt: 1, expiresAt: 10 });
    await users.deleteExpiredSessions(5);
    expect(await users.findSession('s1')).toMatchObject({ csrfToken: 'c' });
    await users.setUserDisabled('u1', true);
    expect(await users.findSession('s1')).toBeUndefined();
  });
});

describe.each(KINDS)('audit log on $name', (kind) => {
  let fixture: StoreFixture;
  beforeEach(async () => {
    if (kind.skip) return;
    fixture = await kind.open();
    const auditor = createAuditor({ log: fixture.store.audit, clock: () => 1_700_000_000_000 });
    // Concurrent appends from one process still make one chain.
    await Promise.all(
      [1, 2, 3, 4, 5, 6].map((i) =>
        auditor.record({
          actor: `user${i}`,
          action: 'case.note',
          target: `case:C${i}`,
          outcome: 'ok',
          detail: { i },
        }),
      ),
    );
  });
  afterEach(async () => {
    if (!kind.skip) await fixture.cleanup();
  });
  const run = kind.skip ? it.skip : it;
  const verify = async () =>
    verifyChain(
      fixture.store.audit.readAuditBatches({ batchSize: 4 }),
      await fixture.store.audit.auditHead(),
    );
  const dropGuards =
    kind.name === 'sqlite'
      ? 'DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;'
      : 'ALTER TABLE audit_log DISABLE TRIGGER USER;';

  run('verifies an intact log', async () => {
    expect(await verify()).toMatchObject({ entries: 6, lastSeq: 6, firstBreak: undefined });
  });

  run('refuses UPDATE and DELETE on the log itself', async () => {
    await expect(fixture.raw("UPDATE audit_log SET actor = 'x' WHERE seq = 1")).rejects.toThrow(
      /append-only/,
    );
    await expect(fixture.raw('DELETE FROM audit_log WHERE seq = 6')).rejects.toThrow(/append-only/);
    expect((await verify()).firstBreak).toBeUndefined();
  });

  for (const seq of [1, 2, 3, 4, 5, 6]) {
    run(`finds a direct edit of entry ${seq} (guards dropped first)`, async () => {
      await fixture.raw(`${dropGuards} UPDATE audit_log SET outcome = 'denied' WHERE seq = ${seq};`);
      expect((await verify()).firstBreak).toEqual({
        seq,
        reason: `entry ${seq} was changed after it was written`,
      });
    });
  }

  run('finds an edited detail and a deleted entry', async () => {
    await fixture.raw(`${dropGuards} UPDATE audit_log SET detail = '{"i":99}' WHERE seq = 2;`);
    expect((await verify()).firstBreak?.seq).toBe(2);
    await fixture.raw(
      'UPDATE audit_log SET detail = \'{"i":2}\' WHERE seq = 2; DELETE FROM audit_log WHERE seq = 4;',
    );
    expect((await verify()).firstBreak).toEqual({ seq: 4, reason: 'entry 4 is missing (the next one is 5)' });
  });

  run('finds the newest entries deleted', async () => {
    await fixture.raw(`${dropGuards} DELETE FROM audit_log WHERE seq >= 5;`);
    expect((await verify()).firstBreak).toEqual({ seq: 5, reason: 'entries 5 to 6 were deleted' });
  });

  run('finds two entries swapped', async () => {
    await fixture.raw(
      `${dropGuards} UPDATE audit_log SET seq = 100 WHERE seq = 3; UPDATE audit_log SET seq = 3 WHERE seq = 4; UPDATE audit_log SET seq = 4 WHERE seq = 100;`,
    );
    expect((await verify()).firstBreak?.seq).toBe(3);
  });

  run('pages the log newest first, filtered', async () => {
    const page = await fixture.store.audit.listAudit({ offset: 0, limit: 2, actor: 'user3' });
    expect(page.total).toBe(1);
    expect(page.items[0]).toMatchObject({ actor: 'user3', action: 'case.note', detail: { i: 3 } });
    const all = await fixture.store.audit.listAudit({ offset: 1, limit: 2 });
    expect(all.items.map((e) => e.seq)).toEqual([5, 4]);
  });
});
