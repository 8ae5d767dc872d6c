package io.blockferry.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * An embedded H2 database file: the durable state of one Blockferry role. Calls are
 * serialised on one connection; the state is small and changes once per record at most.
 */
public final class Database implements AutoCloseable {

    /** Maps the current row of a result set. */
    @FunctionalInterface
    public interface RowMapper<T> {
        T map(ResultSet row) throws SQLException;
    }

    private Connection connection;
    /** Where to connect again (a shared database whose serving process went away). */
    private final String url;
    /** Inside {@link #inTransaction}: a lost connection is retried by the whole transaction, not one statement. */
    private boolean transactionOpen;
    private final Path file;

    private final boolean shared;

    private Database(Connection connection, String url, Path file, boolean shared) {
        this.connection = connection;
        this.url = url;
        this.file = file;
        this.shared = shared;
    }

    /** The schema statements of several stores sharing one database, in order. */
    @SafeVarargs
    public static List<String> schema(List<String>... parts) {
        List<String> all = new ArrayList<>();
        for (List<String> part : parts) {
            all.addAll(part);
        }
        return all;
    }

    /** Opens (creating if needed) the database at {@code file} and applies the schema statements. */
    public static Database open(Path file, List<String> schema) {
        return open(file, schema, ";DB_CLOSE_ON_EXIT=FALSE", false);
    }

    /**
     * Opens a database several processes use at once (the catalog of writers sharing a repository):
     * H2's automatic mixed mode. The first process opens the file and serves it over TCP to the
     * others, which find its address and a random key in the lock file (owner-only: only processes
     * that can read the directory connect); when it stops or dies, the next statement of another
     * reconnects and one of them serves the file.
     */
    public static Database openShared(Path file, List<String> schema) {
        // H2 closes a file it serves to others itself when the process exits (it refuses DB_CLOSE_ON_EXIT=FALSE).
        // Writers starting together: one opens the file while another finds it locked and its server
        // not yet listening, or runs the schema beside it; a later try connects.
        return retriedForHalfAMinute(() -> open(file, schema, ";AUTO_SERVER=TRUE;AUTO_RECONNECT=TRUE", true));
    }

    /** Tries {@code attempt} every half second for 30 s; then, or when interrupted, throws its last failure. */
    private static <T> T retriedForHalfAMinute(Supplier<T> attempt) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                return attempt.get();
            } catch (StoreException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                try {
                    Thread.sleep(500);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private static Database open(Path file, List<String> schema, String mode, boolean shared) {
        try {
            OwnerOnly.createDirectories(file.toAbsolutePath().getParent());
            String url = "jdbc:h2:file:" + file.toAbsolutePath() + mode;
            Connection c = DriverManager.getConnection(url);
            // H2 makes its files with the process's umask: they hold the state, so the owner's only
            OwnerOnly.restrict(Path.of(file.toAbsolutePath() + ".mv.db"));
            OwnerOnly.restrict(Path.of(file.toAbsolutePath() + ".trace.db"));
            OwnerOnly.restrict(Path.of(file.toAbsolutePath() + ".lock.db"));
            Database db = new Database(c, url, file, shared);
            try {
                for (String statement : schema) {
                    db.update(statement);
                }
            } catch (StoreException e) {
                c.close();
                throw e;
            }
            return db;
        } catch (SQLException e) {
            throw new StoreException("cannot open the state store " + file.toAbsolutePath() + ".mv.db: "
                    + e.getMessage() + " (is another Blockferry process using the same data directory?)", e);
        } catch (java.io.IOException e) {
            throw new StoreException("cannot create the state directory for " + file.toAbsolutePath(), e);
        }
    }

    public synchronized int update(String sql, Object... args) {
        return onceMoreIfLost(() -> updateOnce(sql, args));
    }

    private int updateOnce(String sql, Object... args) {
        try (PreparedStatement ps = prepare(sql, args)) {
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException("state store update failed (" + file + "): " + e.getMessage(), e);
        }
    }

    public synchronized <T> List<T> query(String sql, RowMapper<T> mapper, Object... args) {
        return onceMoreIfLost(() -> queryOnce(sql, mapper, args));
    }

    /**
     * Runs {@code call}; if a shared database's serving process died under it (the connection
     * broken, or this process's copy closed because another took the file over), connects again,
     * to whichever process serves it now, and runs it once more. Anything else, or a statement
     * inside a transaction (the whole transaction is run again), is rethrown.
     */
    private <T> T onceMoreIfLost(Supplier<T> call) {
        try {
            return call.get();
        } catch (StoreException e) {
            if (!shared || transactionOpen || !connectionLost(e)) {
                throw e;
            }
            reconnect();
            return call.get();
        }
    }

    private void reconnect() {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // it is gone already
        }
        connection = retriedForHalfAMinute(() -> {
            try {
                return DriverManager.getConnection(url);
            } catch (SQLException again) {
                throw new StoreException("cannot reconnect to the shared state store " + file + ": "
                        + again.getMessage() + " (is the repository's filesystem reachable?)", again);
            }
        });
    }

    private <T> List<T> queryOnce(String sql, RowMapper<T> mapper, Object... args) {
        try (PreparedStatement ps = prepare(sql, args); ResultSet rs = ps.executeQuery()) {
            List<T> rows = new ArrayList<>();
            while (rs.next()) {
                rows.add(mapper.map(rs));
            }
            return rows;
        } catch (SQLException e) {
            throw new StoreException("state store query failed (" + file + "): " + e.getMessage(), e);
        }
    }

    public <T> Optional<T> queryOne(String sql, RowMapper<T> mapper, Object... args) {
        List<T> rows = query(sql, mapper, args);
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }

    /**
     * Runs {@code work} (calls of this database on this thread) as one transaction: all of it or none.
     * A shared database whose serving process went away in the middle (H2 replays a lost single
     * statement itself, not an open transaction) runs it once more on the reconnected session.
     */
    public synchronized void inTransaction(Runnable work) {
        onceMoreIfLost(() -> {
            transaction(work);
            return null;
        });
    }

    private void transaction(Runnable work) {
        try {
            connection.setAutoCommit(false);
            transactionOpen = true;
            try {
                work.run();
                connection.commit();
            } catch (RuntimeException | SQLException e) {
                rollbackQuietly();
                throw e;
            } finally {
                transactionOpen = false;
                autoCommitQuietly();
            }
        } catch (SQLException e) {
            throw new StoreException("state store transaction failed (" + file + "): " + e.getMessage(), e);
        }
    }

    private void autoCommitQuietly() {
        try {
            connection.setAutoCommit(true);
        } catch (SQLException e) {
            // a lost connection: the next call connects again
        }
    }

    private void rollbackQuietly() {
        try {
            connection.rollback();
        } catch (SQLException e) {
            // a lost connection has no transaction left to roll back; the original error is the one reported
        }
    }

    /**
     * H2's "connection broken" (90067), "database is closed" (90098, 90121: this process's copy was
     * closed, another process serves the file now), "locked by another process" (90020: H2's own
     * reconnect found that another survivor took the file and is not serving it yet), or any
     * connection-class SQL state (08...). Only asked of a shared database.
     */
    private static boolean connectionLost(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && (s.getErrorCode() == 90067 || s.getErrorCode() == 90098
                    || s.getErrorCode() == 90121 || s.getErrorCode() == 90020
                    || (s.getSQLState() != null && s.getSQLState().startsWith("08")))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Forces what is committed onto the disk. H2 writes commits in the background, so a step that
     * must not happen before the state store remembers the previous one (deleting a file the old
     * state still names) calls this first.
     */
    public void sync() {
        update("CHECKPOINT SYNC");
    }

    /** Throws, naming the file, unless the store answers a trivial query: for health checks. */
    public void check() {
        query("SELECT 1", rs -> rs.getInt(1));
    }

    private PreparedStatement prepare(String sql, Object... args) throws SQLException {
        PreparedStatement ps = connection.prepareStatement(sql);
        for (int i = 0; i < args.length; i++) {
            ps.setObject(i + 1, args[i]);
        }
        return ps;
    }

    @Override
    public synchronized void close() {
        try {
            if (connection.isClosed()) {
                return;
            }
            connection.close();
        } catch (SQLException e) {
            throw new StoreException("cannot close the state store " + file, e);
        }
    }
}
