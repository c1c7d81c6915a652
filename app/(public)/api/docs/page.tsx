import type { Metadata } from "next";
import { type ApiDocument, ApiReference } from "@/components/api-docs/api-reference";
import { openApiDocument } from "@/lib/api/openapi";
import { errorStatus } from "@/lib/errors/app-error";

export const metadata: Metadata = { title: "API reference" };

export default function ApiDocsPage() {
  return (
    <ApiReference
      document={openApiDocument() as unknown as ApiDocument}
      errorStatus={errorStatus}
    />
  );
}
