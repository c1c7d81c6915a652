import { AppError } from "@/lib/errors/app-error";

/** `success` when the promise resolves, else the refusal's reason (or its error code). */
export async function refusalOf(promise: Promise<unknown>, success: string): Promise<string> {
  try {
    await promise;
    return success;
  } catch (error) {
    if (error instanceof AppError) return String(error.details?.reason ?? error.code);
    throw error;
  }
}
