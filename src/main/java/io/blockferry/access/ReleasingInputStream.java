package io.blockferry.access;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A download's stream that lets go of its browse session once, at its end or its close, whichever
 * comes first: the session stays mounted while a client reads, and not a moment longer.
 */
final class ReleasingInputStream extends FilterInputStream {

    private final Runnable release;
    private final AtomicBoolean released = new AtomicBoolean();

    ReleasingInputStream(InputStream in, Runnable release) {
        super(in);
        this.release = release;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b < 0) {
            done();
        }
        return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
        int n = super.read(buf, off, len);
        if (n < 0) {
            done();
        }
        return n;
    }

    @Override
    public void close() throws IOException {
        try {
            super.close();
        } finally {
            done();
        }
    }

    private void done() {
        if (released.compareAndSet(false, true)) {
            release.run();
        }
    }
}
