package io.cdcpipeline.embedded.position;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.testkit.LongRun;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The position store under SIGKILL: a process saves positions in a tight loop (a save every millisecond, as with
 * {@code offset.flush.interval.ms=1}) and is killed at a random instant, again and again. Every restart must find
 * the last position the store confirmed or the one being saved when the kill came, never nothing and never an older
 * one. Kafka's {@code FileOffsetBackingStore}, which the runner used before, runs the same loop for comparison; it
 * is only counted, not asserted on.
 */
class PositionStoreKillIT {

    private record Round(String loaded, long lastConfirmed) {
    }

    @Test
    void everyRestartAfterSigkillFindsTheLastOrTheInFlightPosition(@TempDir Path work) throws Exception {
        int kills = LongRun.rounds(40, 500);
        List<Round> ours = killLoop(work.resolve("ours.position"), "ours", kills, new Random(15));
        List<Round> kafka = killLoop(work.resolve("kafka.offsets"), "kafka", LongRun.rounds(40, 500), new Random(15));

        int lost = 0;
        int older = 0;
        int unreadable = 0;
        int inFlight = 0;
        for (int i = 1; i < ours.size(); i++) {
            long confirmed = ours.get(i - 1).lastConfirmed();
            String loaded = ours.get(i).loaded();
            assertThat(loaded).as("restart %d after a kill that came after position %d was confirmed", i, confirmed)
                    .isIn("loaded " + confirmed, "loaded " + (confirmed + 1));
            inFlight += loaded.equals("loaded " + (confirmed + 1)) ? 1 : 0;
        }
        for (int i = 1; i < kafka.size(); i++) {
            String loaded = kafka.get(i).loaded();
            long confirmed = kafka.get(i - 1).lastConfirmed();
            if (loaded.equals("loaded none")) {
                lost++;
            } else if (loaded.startsWith("unreadable")) {
                unreadable++;
            } else if (!loaded.equals("loaded " + confirmed) && !loaded.equals("loaded " + (confirmed + 1))) {
                older++;
            }
        }
        LongRun.publish("position-store-kills", """
                # Position store under SIGKILL

                A process saves a new position every millisecond and is killed (SIGKILL) at a random instant,
                %d times per store; each restart reads what the store finds
                (`PositionStoreKillIT`, `bin/cdc test --long` for the long run).

                | store | kills | restarts that found the last confirmed position | found the one in flight | found no position | found an older one | could not read the file |
                |---|---|---|---|---|---|---|
                | runner's `CrashSafeOffsetStore` (temp file, fsync, atomic rename, fsync folder) | %d | %d | %d | 0 | 0 | 0 |
                | Kafka's `FileOffsetBackingStore` (rewritten in place) | %d | %d | | %d | %d | %d |
                """.formatted(kills, ours.size() - 1, ours.size() - 1 - inFlight, inFlight, kafka.size() - 1,
                kafka.size() - 1 - lost - older - unreadable, lost, older, unreadable));
        assertThat(ours).hasSize(kills + 1);
    }

    /** Starts, waits a random moment, kills; {@code kills} times, then one last start that is only read. */
    private static List<Round> killLoop(Path file, String store, int kills, Random random) throws Exception {
        List<Round> rounds = new ArrayList<>();
        for (int i = 0; i <= kills; i++) {
            Process process = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                    SavingProcess.class.getName(), file.toString(), store)).redirectErrorStream(true).start();
            AtomicReference<String> loaded = new AtomicReference<>();
            AtomicLong confirmed = new AtomicLong(-1);
            Thread reader = new Thread(() -> {
                try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line; (line = out.readLine()) != null; ) {
                        if (line.startsWith("saved ")) {
                            confirmed.set(Long.parseLong(line.substring(6)));
                        } else if (loaded.get() == null && (line.startsWith("loaded ") || line.startsWith("unreadable "))) {
                            loaded.set(line);
                        }
                    }
                } catch (Exception e) {
                    // the process was killed: its output ends here
                }
            });
            reader.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (confirmed.get() < 0 && process.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertThat(loaded.get()).as("%s store, start %d: what it found", store, i).isNotNull();
            assertThat(confirmed.get()).as("%s store, start %d: saved anything within 30 s", store, i).isPositive();
            if (i < kills) {
                Thread.sleep(random.nextInt(40)); // a random instant among tens of saves
            }
            process.destroyForcibly(); // SIGKILL
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            reader.join(10_000);
            rounds.add(new Round(loaded.get(), confirmed.get()));
        }
        return rounds;
    }
}
