/** One headline figure of the overview, with its label; `testId` lets the e2e tests compare it with the CLI. */
export function StatCard(props: {
  readonly label: string;
  readonly value: string;
  readonly note?: string;
  readonly testId: string;
}) {
  return (
    <div className="stat-card">
      <dt>{props.label}</dt>
      <dd data-testid={props.testId}>{props.value}</dd>
      {props.note === undefined ? null : <dd className="note">{props.note}</dd>}
    </div>
  );
}
