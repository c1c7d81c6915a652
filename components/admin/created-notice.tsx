/**
 * What a create action redirects to says so: `?created=1` on the new thing's page. Only the
 * flag comes from the address; the words name the thing as stored.
 */
export function CreatedNotice({ created, what }: { created: unknown; what: string }) {
  if (created !== "1") return null;
  return (
    <p className="alert success" role="status" data-testid="created-notice">
      {what} created
    </p>
  );
}
