package io.civitas.controller.wamp;

import ws.wamp.jawampa.WampMessages.WampMessage;
import ws.wamp.jawampa.WampSerialization;
import ws.wamp.jawampa.connection.IPendingWampConnection;
import ws.wamp.jawampa.connection.IWampClientConnectionConfig;
import ws.wamp.jawampa.connection.IWampConnection;
import ws.wamp.jawampa.connection.IWampConnectionAcceptor;
import ws.wamp.jawampa.connection.IWampConnectionListener;
import ws.wamp.jawampa.connection.IWampConnectionPromise;
import ws.wamp.jawampa.connection.IWampConnector;
import ws.wamp.jawampa.connection.IWampConnectorProvider;

import java.net.URI;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Connects a Jawampa client to a router in the same JVM without a socket: messages pass as objects.
 *
 * <p>Written by hand because Jawampa ships only a Netty transport. The controller's own session
 * uses it, so a controller-to-agent call crosses one WebSocket (router to agent), not two, and
 * skips the gate: the controller is trusted, agents are not.
 */
final class InProcessConnectorProvider implements IWampConnectorProvider {

    private final IWampConnectionAcceptor router;

    InProcessConnectorProvider(IWampConnectionAcceptor router) {
        this.router = router;
    }

    @Override
    public ScheduledExecutorService createScheduler() {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "wamp-controller-session");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public IWampConnector createConnector(URI uri, IWampClientConnectionConfig config,
                                          List<WampSerialization> serializations) {
        return (scheduler, connectListener, clientListener) -> {
            IWampConnectionListener routerListener = router.createNewConnectionListener();
            // The router's side: what the router sends arrives on the client's scheduler, as with Netty.
            IWampConnection routerSide = new Side() {
                @Override
                public void sendMessage(WampMessage message, IWampConnectionPromise<Void> promise) {
                    scheduler.execute(() -> clientListener.messageReceived(message));
                    promise.fulfill(null);
                }

                @Override
                public void close(boolean sendRemaining, IWampConnectionPromise<Void> promise) {
                    scheduler.execute(clientListener::transportClosed);
                    promise.fulfill(null);
                }
            };
            // The client's side: the router's listener queues onto the router's own event loop.
            IWampConnection clientSide = new Side() {
                @Override
                public void sendMessage(WampMessage message, IWampConnectionPromise<Void> promise) {
                    routerListener.messageReceived(message);
                    promise.fulfill(null);
                }

                @Override
                public void close(boolean sendRemaining, IWampConnectionPromise<Void> promise) {
                    routerListener.transportClosed();
                    promise.fulfill(null);
                }
            };
            router.acceptNewConnection(routerSide, routerListener);
            scheduler.execute(() -> connectListener.connectSucceeded(clientSide));
            return IPendingWampConnection.Dummy;
        };
    }

    private abstract static class Side implements IWampConnection {
        @Override
        public WampSerialization serialization() {
            return WampSerialization.Json;
        }

        @Override
        public boolean isSingleWriteOnly() {
            return false;
        }
    }
}
