import { z } from 'zod';
import type { User } from '../../auth/ports.js';
import { ROLES } from '../../auth/roles.js';
import { APPROVAL_ACTIONS, APPROVAL_STATUSES, type Approval } from '../../cases/approval.js';
import { CASE_STATUSES, type CaseSummary, maskSubject, SUBJECT_TYPES } from '../../cases/case.js';
import { maskText } from '../../core/mask.js';

/** Response shapes shared by several routes, and the functions that mask domain values into them. */

export const userView = z.object({
  userId: z.string(),
  name: z.string(),
  role: z.enum(ROLES),
  unit: z.string().optional(),
  handlerId: z.string().optional(),
  createdAt: z.number().int(),
  disabled: z.boolean(),
});

export const toUserView = (u: User): z.input<typeof userView> => ({
  userId: u.userId,
  name: u.name,
  role: u.role,
  ...(u.unit === undefined ? {} : { unit: u.unit }),
  ...(u.handlerId === undefined ? {} : { handlerId: u.handlerId }),
  createdAt: u.createdAt,
  disabled: u.disabled,
});

export const caseSummaryView = z.object({
  caseId: z.string(),
  openedAt: z.number().int(),
  openedBy: z.string(),
  status: z.enum(CASE_STATUSES),
  subjectType: z.enum(SUBJECT_TYPES),
  subjectId: z.string(),
  title: z.string(),
  beneficiaryIds: z.array(z.string()),
  amountAtRiskFen: z.number().int(),
  amountRecoveredFen: z.number().int(),
  assignee: z.string().optional(),
  updatedAt: z.number().int(),
});

export const toCaseSummaryView = (c: CaseSummary): z.input<typeof caseSummaryView> => ({
  caseId: c.caseId,
  openedAt: c.openedAt,
  openedBy: c.openedBy,
  status: c.status,
  subjectType: c.subjectType,
  subjectId: maskSubject(c.subjectType, c.subjectId),
  title: maskText(c.title),
  beneficiaryIds: [...c.beneficiaryIds],
  amountAtRiskFen: c.amountAtRiskFen,
  amountRecoveredFen: c.amountRecoveredFen,
  ...(c.assignee === undefined ? {} : { assignee: c.assignee }),
  updatedAt: c.updatedAt,
});

export const approvalView = z.object({
  approvalId: z.string(),
  action: z.enum(APPROVAL_ACTIONS),
  target: z.string(),
  reason: z.string(),
  requestedBy: z.string(),
  requesterUnit: z.string().optional(),
  requestedAt: z.number().int(),
  status: z.enum(APPROVAL_STATUSES),
  decidedBy: z.string().optional(),
  decidedAt: z.number().int().optional(),
  decisionNote: z.string().optional(),
});

/** Drops undefined fields (JSON has no undefined; zod's optional means absent). */
export function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export const toApprovalView = (a: Approval): z.input<typeof approvalView> =>
  defined({ ...a, reason: maskText(a.reason) });
