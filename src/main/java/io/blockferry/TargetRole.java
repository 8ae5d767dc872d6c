package io.blockferry;

import io.blockferry.config.Settings;
import io.blockferry.store.Database;
import io.blockferry.target.ChunkWriter;
import io.blockferry.target.RecoveryPointCatalog;
import io.blockferry.target.Repository;
import io.blockferry.transport.KafkaOffsetCommitter;
import java.nio.file.Path;
import org.apache.camel.main.Main;

/** The target side's beans: the repository, its catalog and the chunk writer. */
final class TargetRole implements AutoCloseable {

    private final Database database;
    final ChunkWriter writer;

    TargetRole(Settings settings) {
        this.database = Database.open(Path.of(settings.text("blockferry.data-dir"), "state", "target"),
                RecoveryPointCatalog.SCHEMA);
        this.writer = new ChunkWriter(new Repository(settings.path("blockferry.target.repository-dir")),
                new RecoveryPointCatalog(database), settings.bytes("blockferry.target.checkpoint-bytes"));
    }

    void bind(Main main) {
        main.bind("chunkWriter", writer);
        main.bind("offsetCommitter", new KafkaOffsetCommitter());
    }

    @Override
    public void close() {
        database.close();
    }
}
