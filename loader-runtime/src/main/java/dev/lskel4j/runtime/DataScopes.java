package dev.lskel4j.runtime;

import java.lang.foreign.Arena;

/**
 * The two scopes of a skeleton's global data views, each a shared arena created when the first
 * view in it is asked for: closing a shared arena costs a handshake with every JVM thread, which
 * a load that never touches its data should not pay.
 * <ul>
 * <li>{@link #views()}: every data view; closed before the sections are unmapped;</li>
 * <li>{@link #preLoad()}: writable views of sections that become read-only at load; closed
 *     before they do.</li>
 * </ul>
 * Once closed, a scope is not created again: asking for it throws.
 */
final class DataScopes {
    private Arena views;
    private Arena preLoad;
    private boolean viewsClosed;
    private boolean preLoadClosed;

    /**
     * {@return the scope of every data view}
     *
     * @throws IllegalStateException once {@link #closeViews()} ran
     */
    synchronized Arena views() {
        if (viewsClosed) {
            throw new IllegalStateException("the data views are closed");
        }
        if (views == null) {
            views = Arena.ofShared();
        }
        return views;
    }

    /**
     * {@return the scope of writable views of sections that become read-only at load}
     *
     * @throws IllegalStateException once {@link #closePreLoad()} ran
     */
    synchronized Arena preLoad() {
        if (preLoadClosed) {
            throw new IllegalStateException("the sections are being made read-only: no writable view before load remains");
        }
        if (preLoad == null) {
            preLoad = Arena.ofShared();
        }
        return preLoad;
    }

    /** Invalidates every pre-load writable view (if one was ever made). Idempotent. */
    synchronized void closePreLoad() {
        preLoadClosed = true;
        if (preLoad != null && preLoad.scope().isAlive()) {
            preLoad.close();
        }
    }

    /** Invalidates every view, pre-load ones included. Idempotent. */
    synchronized void closeViews() {
        closePreLoad();
        viewsClosed = true;
        if (views != null && views.scope().isAlive()) {
            views.close();
        }
    }
}
