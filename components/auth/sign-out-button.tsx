import { signOutAction } from "@/app/(auth)/actions";

export function SignOutButton() {
  return (
    <form action={signOutAction}>
      <button type="submit" className="secondary" style={{ padding: "4px 12px", fontSize: 13 }}>
        Sign out
      </button>
    </form>
  );
}
