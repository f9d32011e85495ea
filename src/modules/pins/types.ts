/** A report pinned to a user's Home (issue 16 item 2). */
export const PIN_DISPLAYS = ['TABLE', 'CHART'] as const;
export type PinDisplay = (typeof PIN_DISPLAYS)[number];

/** A Home holds at most this many pins per account: past that, one is removed first. */
export const MAX_PINS = 20;

export interface Pin {
  id: number;
  accountId: number;
  userId: number;
  report: string;
  title: string;
  filters: Record<string, string>;
  display: PinDisplay;
  /** The page it was pinned from (path and query), so Home opens the report as it was. */
  link: string | null;
  position: number;
  createdAt: Date;
}

/** Whose pins: one user acting for one account. */
export interface PinOwner {
  accountId: number;
  userId: number;
}
