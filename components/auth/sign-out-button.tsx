export function SignOutButton({ action }: { action: () => Promise<void> }) {
  return (
    <form action={action}>
      <button type="submit" className="secondary" style={{ padding: "4px 12px", fontSize: 13 }}>
        Sign out
      </button>
    </form>
  );
}
