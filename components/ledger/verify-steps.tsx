/** One check of a receipt, as any of its verifiers reports it. */
export type VerifyStepView = {
  id: string;
  label: string;
  ok: boolean;
  detail: string;
  /** The check did not run (an earlier one failed): neither passed nor failed. */
  skipped?: boolean;
  /** The check had nothing to check: it does not fail the receipt, but it did not pass either. */
  unchecked?: boolean;
};

type State = "passed" | "failed" | "not_run" | "not_checked";

const STATES: Record<State, { icon: string; word: string; className: string }> = {
  passed: { icon: "✓", word: "passed", className: "passed" },
  failed: { icon: "✗", word: "failed", className: "failed" },
  not_run: { icon: "–", word: "not run", className: "" },
  not_checked: { icon: "–", word: "not checked", className: "" },
};

function stateOf(step: VerifyStepView): State {
  if (step.skipped) return "not_run";
  if (step.unchecked) return "not_checked";
  return step.ok ? "passed" : "failed";
}

/**
 * A receipt's checks in order, each passed, failed or not run with its detail. `testIdPrefix`
 * tells the lists of a chain's receipts apart ("claim-", "delivery-"); one receipt's has none.
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
      {steps.map((step) => {
        const state = stateOf(step);
        const { icon, word, className } = STATES[state];
        return (
          <li
            key={step.id}
            className={className}
            data-testid={`${testIdPrefix}step-${step.id}`}
            data-ok={step.ok}
            data-state={state}
          >
            <span className="icon" aria-hidden="true">
              {icon}
            </span>
            <span>
              <strong>{step.label}</strong> — {word}
              <br />
              <span className="small muted" style={{ overflowWrap: "anywhere" }}>
                {step.detail}
              </span>
            </span>
          </li>
        );
      })}
    </ol>
  );
}

/** A verification's outcome in one line, green or red as its steps. */
export function Verdict({
  ok,
  testId,
  children,
}: {
  ok: boolean;
  testId: string;
  children: React.ReactNode;
}) {
  return (
    <div className={`verdict ${ok ? "passed" : "failed"}`} data-testid={testId} data-ok={ok}>
      {children}
    </div>
  );
}
