import { z } from "zod";

// Zod compiles fast parsers with `new Function` when it may. The Content-Security-Policy forbids
// eval (proxy.ts), and even zod's guarded probe for it is reported as a violation, so the browser
// uses zod's interpreter from the start. This file runs before any of the app's own code.
z.config({ jitless: true });
