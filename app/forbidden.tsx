import Link from "next/link";

export default function Forbidden() {
  return (
    <>
      <h1>Not allowed</h1>
      <p className="lead" data-testid="forbidden">
        Your account may not open this page. <Link href="/">Back to the drops</Link>.
      </p>
    </>
  );
}
