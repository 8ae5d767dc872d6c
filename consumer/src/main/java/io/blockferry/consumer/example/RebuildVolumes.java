package io.blockferry.consumer.example;

import io.blockferry.consumer.BlockferryConsumer;
import io.blockferry.consumer.FileApplier;
import io.blockferry.consumer.Generation;
import io.blockferry.consumer.KeyRing;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;

/**
 * A runnable downstream consumer: rebuilds every volume (or the listed ones) as a raw image file
 * in a directory, applying each generation Blockferry's target committed, and prints what it does.
 * <pre>
 * ./mvnw -B -q package -DskipTests; java -cp 'target/blockferry.jar:target/lib/*' io.blockferry.consumer.example.RebuildVolumes \
 *     --bootstrap 127.0.0.1:9092 --out /srv/copies --group copies [--key site-2026a=/etc/blockferry/keys/site.key] \
 *     [--volumes volumes/disk1,volumes/disk2] [--latest] [--no-request]
 * </pre>
 * Runs until Ctrl-C.
 */
public final class RebuildVolumes {

    private RebuildVolumes() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                usage("unexpected " + args[i]);
            }
            String name = args[i].substring(2);
            boolean flag = name.equals("latest") || name.equals("no-request") || name.equals("accept-unsigned");
            a.put(name, flag ? "true" : i + 1 < args.length ? args[++i] : usage("--" + name + " needs a value"));
        }
        if (!a.containsKey("bootstrap") || !a.containsKey("out")) {
            usage("--bootstrap and --out are needed");
        }
        KeyRing keys = new KeyRing();
        if (a.containsKey("key")) {
            for (String pair : a.get("key").split(",")) {
                String[] kv = pair.split("=", 2);
                keys.addFile(kv[0], Path.of(kv[1]));
            }
        }
        Path out = Path.of(a.get("out"));
        String group = a.getOrDefault("group", "blockferry-copies");
        Set<String> volumes = a.containsKey("volumes") ? Arrays.stream(a.get("volumes").split(","))
                .collect(Collectors.toSet()) : Set.of();
        BlockferryConsumer.Options options = new BlockferryConsumer.Options(a.get("bootstrap"), group, group,
                out.resolve(".consumer"), keys, a.containsKey("accept-unsigned"), volumes,
                !a.containsKey("no-request"), a.containsKey("latest") ? "latest" : "earliest", "blockferry.chunks",
                "blockferry.acks", "blockferry.requests");
        FileApplier files = new FileApplier(out);
        CountDownLatch stop = new CountDownLatch(1);
        try (BlockferryConsumer consumer = new BlockferryConsumer(options, files, new BlockferryConsumer.Listener() {
            @Override
            public void applied(Generation g) {
                System.out.printf("applied %s generation %d (%s, %s) -> %s%n", g.volumeId(), g.generation(),
                        g.full() ? "full" : "incremental", g.snapshot(), files.imageOf(g.volumeId()));
            }

            @Override
            public void refused(String topic, String key, String cause, String message) {
                System.out.printf("refused a record of %s on %s: %s (%s)%n", key, topic, cause, message);
            }

            @Override
            public void dropped(String volumeId, long generation, String why) {
                System.out.printf("dropped %s generation %d: %s%n", volumeId, generation, why);
            }

            @Override
            public void requested(String volumeId, String reason) {
                System.out.printf("asked for a full generation of %s (%s)%n", volumeId, reason);
            }
        })) {
            Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
            consumer.start();
            System.out.println("following Blockferry at " + a.get("bootstrap") + " into " + out + " (Ctrl-C stops)");
            stop.await();
        }
    }

    private static String usage(String why) {
        System.err.println("RebuildVolumes: " + why + "\nusage: RebuildVolumes --bootstrap HOST:PORT --out DIR "
                + "[--group G] [--key ID=FILE,...] [--volumes POOL/IMAGE,...] [--latest] [--no-request] "
                + "[--accept-unsigned]");
        System.exit(2);
        return null;
    }
}
