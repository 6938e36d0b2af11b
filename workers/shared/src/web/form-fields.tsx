/** @jsxImportSource hono/jsx */
import type { FC } from "hono/jsx";

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
  placeholder?: string;
  /** Extra class on the wrapper (`short` for a narrow one). */
  class?: string;
  /** Announce the message as soon as the page shows it (a form re-shown with one message that matters). */
  alert?: boolean;
  /** A short help text under the input. */
  hint?: string | undefined;
  /** Flagged without a message of its own: the form's problem box (`describedBy`) says what is wrong. */
  invalid?: boolean;
  describedBy?: string;
};

/** A labelled input with its message: the input says it is invalid when the form came back with one for it. */
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
        value={p.value ?? ""}
        required={p.required}
        autocomplete={p.autocomplete}
        inputmode={p.inputmode}
        min={p.min}
        max={p.max}
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
