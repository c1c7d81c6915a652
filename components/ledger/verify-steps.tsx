/** One check of a receipt, as any of its verifiers reports it. */
export type VerifyStepView = { id: string; label: string; ok: boolean; detail: string };

/**
 * A receipt's checks in order, each passed or failed with its detail. `testIdPrefix` tells the
 * lists of a chain's receipts apart ("claim-", "delivery-"); one receipt's has none.
 */
export function VerifySteps({
  steps,
  testIdPrefix = "",
}: {
  steps: VerifyStepView[];
  testIdPrefix?: string;
}) {
  return (
    <ol className="steps" data-testid={`${testIdPrefix}steps`}>
      {steps.map((step) => (
        <li
          key={step.id}
          className={step.ok ? "passed" : "failed"}
          data-testid={`${testIdPrefix}step-${step.id}`}
          data-ok={step.ok}
        >
          <span className="icon">{step.ok ? "✓" : "✗"}</span>
          <span>
            <strong>{step.label}</strong> — {step.ok ? "passed" : "failed"}
            <br />
            <span className="small muted" style={{ overflowWrap: "anywhere" }}>
              {step.detail}
            </span>
          </span>
        </li>
      ))}
    </ol>
  );
}
