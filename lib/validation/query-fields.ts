import { z } from "zod";

/** Turns the "" of an empty form field or query parameter into "not given". */
export const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess(
    (value) => (typeof value === "string" && value.trim() === "" ? undefined : value),
    schema.optional(),
  );

/** Dates PostgreSQL and JavaScript agree on. */
export const moment = z.coerce
  .date({ error: "Enter a date and time" })
  .min(new Date("1970-01-01T00:00:00Z"), "Too early")
  .max(new Date("9999-12-31T23:59:59Z"), "Too late");
