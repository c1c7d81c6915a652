import type { AriaAttributes } from "react";
import { COUNTRIES } from "@/lib/geo/model";

const countriesByName = [...COUNTRIES].sort((a, b) => a.name.localeCompare(b.name, "en"));

/** The country-of-residence select of the sign-up and profile forms. */
export function CountrySelect({
  id,
  defaultValue,
  ...aria
}: { id: string; defaultValue?: string } & AriaAttributes) {
  return (
    // A select takes its defaultValue only when mounted: remount it to show the kept value.
    <select
      id={id}
      key={defaultValue}
      name="region"
      autoComplete="country"
      defaultValue={defaultValue ?? ""}
      {...aria}
    >
      <option value="">Choose your country…</option>
      {countriesByName.map((country) => (
        <option key={country.code} value={country.code}>
          {country.name}
        </option>
      ))}
    </select>
  );
}
