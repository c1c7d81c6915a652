import type { Metadata } from "next";
import Link from "next/link";
import { playRoundAction } from "@/app/(player)/actions";
import { GamePanel } from "@/components/play/game-panel";
import styles from "@/components/play/play.module.css";
import { RoundHistory } from "@/components/play/round-history";
import { FairnessFacts } from "@/components/play/seed-table";
import { getDb } from "@/db/client";
import { requirePageRole } from "@/lib/auth/require-page-role";
import { getFairness } from "@/lib/fairness/seeds";
import { describeGames } from "@/lib/games/games";
import { listRounds } from "@/lib/rounds/round-views";
import { formatCoins } from "@/lib/wallet/model";
import { getBalances } from "@/lib/wallet/wallet";

export const metadata: Metadata = { title: "Play" };

const HISTORY_ON_PLAY = 10;

export default async function PlayPage() {
  const user = await requirePageRole("/play", "player");
  const db = getDb();
  const [balances, history, fairness] = await Promise.all([
    getBalances(db, user.id),
    listRounds(db, user.id, { limit: HISTORY_ON_PLAY }),
    getFairness(db, user.id),
  ]);
  return (
    <>
      <h1>Play</h1>
      <p className="lead">
        Dice and a scratch card, provably fair: each round is decided by your server seed (committed
        in the public log before you play), your client seed and a nonce, and can be replayed once
        you rotate the seed.
      </p>
      <div className={styles.layout}>
        <GamePanel
          games={describeGames()}
          balances={{ GC: formatCoins(balances.GC), SC: formatCoins(balances.SC) }}
          newestPlayedAt={history.rounds[0]?.playedAt ?? null}
          play={playRoundAction}
        />
        <section className="card" aria-labelledby="fairness-title">
          <h2 id="fairness-title" style={{ marginTop: 0 }}>
            Fairness
          </h2>
          <FairnessFacts fairness={fairness} />
          <p className="small">
            <Link href="/fairness">Set your client seed or rotate your seed →</Link>
          </p>
        </section>
      </div>
      <h2>Your rounds</h2>
      <RoundHistory
        rounds={history.rounds}
        olderHref={history.nextCursor ? `/rounds?cursor=${history.nextCursor}` : null}
      />
    </>
  );
}
