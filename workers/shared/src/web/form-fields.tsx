/** @jsxImportSource hono/jsx */
import type { FC } from "hono/jsx";
import type { Problem } from "#schema/problem.ts";

/** A field's message under it, tied to the input by id (aria-describedby), so a screen reader reads them together. */
export const FieldError: FC<{ id: string; message: string | undefined; alert?: boolean }> = ({ id, message, alert }) =>
  message === undefined ? null : (
    <p class="field-error" id={id} role={alert ? "alert" : undefined}>
      {message}
    </p>
  );

type InputProps = {
  name: string;
  label: string;
  value?: string | undefined;
  error?: string | undefined;
  type?: string;
  id?: string;
  required?: boolean;
  autocomplete?: string;
  inputmode?: "numeric" | "decimal" | "email" | "text";
  min?: number;
  max?: number;
  step?: number;
  minlength?: number;
  /** The file types a `file` input offers (`image/png,image/jpeg`); a file input has no value attribute. */
  accept?: string;
  placeholder?: string;
  /** Extra class on the wrapper (`short` for a narrow one). */
  class?: string;
  /** A class on the input itself (the dashboard's widths: `w-xs`…). */
  inputClass?: string;
  /** Announce the message as soon as the page shows it (a form re-shown with one message that matters). */
  alert?: boolean;
  /** A short help text under the input. */
  hint?: string | undefined;
  /** Flagged without a message of its own: the form's problem box (`describedBy`) says what is wrong. */
  invalid?: boolean;
  describedBy?: string;
};

/** The ids an input is described by, or none (an empty aria-describedby is an accessibility error). */
const idList = (...ids: (string | false | undefined)[]): string | undefined => ids.filter(Boolean).join(" ") || undefined;

/** A labelled input with its hint and message: the input says it is invalid when the form came back with one for it. */
export const Field: FC<InputProps> = (p) => {
  const id = p.id ?? p.name;
  const errorId = `${id}-error`;
  const invalid = p.error !== undefined || p.invalid === true;
  return (
    <div class={p.class === undefined ? "field" : `field ${p.class}`}>
      <label for={id}>{p.label}</label>
      <input
        id={id}
        name={p.name}
        type={p.type ?? "text"}
        value={p.type === "file" ? undefined : (p.value ?? "")}
        required={p.required}
        autocomplete={p.autocomplete}
        inputmode={p.inputmode}
        min={p.min}
        max={p.max}
        step={p.step}
        minlength={p.minlength}
        accept={p.accept}
        class={p.inputClass}
        placeholder={p.placeholder}
        aria-invalid={invalid ? "true" : undefined}
        aria-describedby={idList(p.hint && `${id}-hint`, p.error !== undefined && errorId, invalid && p.describedBy)}
      />
      {p.hint ? (
        <span class="hint" id={`${id}-hint`}>
          {p.hint}
        </span>
      ) : null}
      <FieldError id={errorId} message={p.error} alert={p.alert} />
    </div>
  );
};

/**
 * A problem from the API above its form. Given `labelOf` (the form's label of an API field), it is a headline and
 * what to fix field by field; without it, the problem's words. Each site draws it with its own box class (the
 * shop's `notice bad`, the dashboard's `flash bad`).
 */
export const ProblemBox: FC<{ problem: Problem | null; class: string; id?: string; labelOf?: (field: string) => string }> = ({
  problem,
  class: boxClass,
  id,
  labelOf,
}) => {
  if (problem === null) return null;
  const text = problem.detail ?? problem.title;
  if (labelOf === undefined) {
    return (
      <div class={boxClass} role="alert" id={id}>
        {text}
      </div>
    );
  }
  const errors = problem.errors ?? [];
  return (
    <div class={boxClass} role="alert" id={id}>
      <strong>{errors.length > 0 ? "Please check these fields:" : text}</strong>
      {errors.length > 0 ? (
        <ul class="errors">
          {errors.map((e) => (
            <li>
              {labelOf(e.field)}: {e.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
};
