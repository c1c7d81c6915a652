import type { FieldErrorLinks } from "@/components/ui/form-messages";

/** The email input of the sign-up and password-reset forms, tied to its error. */
export function EmailField({
  fields,
  defaultValue,
}: {
  fields: FieldErrorLinks;
  defaultValue?: string;
}) {
  return (
    <label>
      Email
      <input
        type="email"
        autoComplete="email"
        defaultValue={defaultValue}
        {...fields.field("email")}
      />
      {fields.error("email")}
    </label>
  );
}
