package io.blockferry.demo;

import io.blockferry.config.Settings;
import io.blockferry.demo.Row.Kind;
import java.util.Collections;
import java.util.List;

/**
 * The Kafka-only rows: the same bytes as the single and four-volume rows, through the same
 * broker, keyed by the same volume ids. Without those rows (not asked for, or their part stopped
 * at an OutOfMemoryError) it moves nominal bytes: three quarters of SIZE per volume for a full, a
 * quarter for an incremental.
 */
final class KafkaPart {

    private final BenchContext context;
    private final KafkaOnlyStage stage;

    KafkaPart(BenchContext context, Settings settings) {
        this.context = context;
        this.stage = new KafkaOnlyStage(settings, context.runtime().bootstrapServers(), context.options().timeout());
    }

    /** After the single part (or with nominal bytes when it did not run). */
    Void single(SinglePart.Sent sent) {
        SinglePart.Sent s = sent != null ? sent : new SinglePart.Sent(BenchImages.volumeId(context.image("")),
                nominalFull(), context.options().size() / 4);
        String note = sent == null ? "nominal bytes (no single-volume rows to match)" : null;
        context.row(Kind.KAFKA_FULL, a -> noted(stage.run(List.of(s.volumeId()), List.of(s.fullBytes()), a), note));
        context.row(Kind.KAFKA_INCREMENTAL, a -> noted(stage.run(List.of(s.volumeId()),
                List.of(s.incrementalBytes()), a), note));
        return null;
    }

    /** After the four-volume part (or with nominal bytes when it did not run). */
    Void four(FourPart.Sent sent) {
        FourPart.Sent s = sent != null ? sent : new FourPart.Sent(
                java.util.stream.IntStream.rangeClosed(1, FourPart.VOLUMES)
                        .mapToObj(i -> BenchImages.volumeId(context.image("-four-" + i))).toList(),
                Collections.nCopies(FourPart.VOLUMES, nominalFull()));
        String note = sent == null ? "nominal bytes (no four-volume row to match)" : null;
        context.row(Kind.KAFKA_FOUR, a -> noted(stage.run(s.volumeIds(), s.bytes(), a), note));
        return null;
    }

    private long nominalFull() {
        return context.options().size() / 4 * 3;
    }

    private static RowRunner.Outcome noted(RowRunner.Outcome o, String note) {
        return note == null ? o : new RowRunner.Outcome(o.bytes(), o.seconds(), note + "; " + o.note());
    }
}
