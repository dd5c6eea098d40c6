import type { EpochMs } from '../core/time.js';

/** Actions that need a second person of another unit (four-eyes, 双人复核). */
export const APPROVAL_ACTIONS = ['case.close', 'benefit.suspend', 'benefit.reactivate'] as const;
export type ApprovalAction = (typeof APPROVAL_ACTIONS)[number];

export const APPROVAL_STATUSES = ['pending', 'approved', 'rejected'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

export interface Approval {
  readonly approvalId: string;
  readonly action: ApprovalAction;
  /** `case:ID` for a closure, `beneficiary:ID` for a suspension or reactivation. */
  readonly target: string;
  readonly reason: string;
  readonly requestedBy: string;
  readonly requesterUnit: string | undefined;
  readonly requestedAt: EpochMs;
  readonly status: ApprovalStatus;
  readonly decidedBy: string | undefined;
  readonly decidedAt: EpochMs | undefined;
  readonly decisionNote: string | undefined;
}

/** An instruction to the payroll system, recorded once two people agreed. */
export interface BenefitOrder {
  readonly orderId: string;
  readonly beneficiaryId: string;
  readonly action: 'suspend' | 'reactivate';
  readonly reason: string;
  readonly requestedBy: string;
  readonly approvedBy: string;
  readonly approvalId: string;
  readonly at: EpochMs;
}

/** Who is acting, as the cases context needs to know them (the API maps its user to this). */
export interface Actor {
  readonly name: string;
  readonly unit: string | undefined;
  /** The handler this person is: they never act on that handler's beneficiaries. */
  readonly handlerId: string | undefined;
}
