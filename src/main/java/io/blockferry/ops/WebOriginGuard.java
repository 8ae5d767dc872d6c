package io.blockferry.ops;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.component.platform.http.plugin.DefaultJolokiaPlatformHttpPlugin;
import org.apache.camel.component.platform.http.plugin.JolokiaPlatformHttpPlugin;
import org.apache.camel.support.service.ServiceHelper;
import org.apache.camel.support.service.ServiceSupport;

/**
 * Camel's Jolokia plugin behind a check that no web page is calling: a request with an
 * {@code Origin} header, or a {@code Referer}, comes from a browser page (a cross-site request in
 * an operator's browser, which may carry a remembered login) and is refused with 403 before
 * Jolokia sees it. Tools (curl, Hawtio's proxy in tools/hawtio, which strips both) send neither.
 * Bound as the {@code jolokia} plugin, which Camel's management server takes from the registry.
 * The login itself is checked earlier, by the management server ({@link JolokiaAccess}).
 */
public final class WebOriginGuard extends ServiceSupport implements JolokiaPlatformHttpPlugin, CamelContextAware {

    private final DefaultJolokiaPlatformHttpPlugin jolokia = new DefaultJolokiaPlatformHttpPlugin();
    private CamelContext camelContext;

    @Override
    public String getId() {
        return jolokia.getId();
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
        jolokia.setCamelContext(camelContext);
    }

    @Override
    protected void doStart() throws Exception {
        ServiceHelper.startService(jolokia);
    }

    @Override
    protected void doStop() throws Exception {
        ServiceHelper.stopService(jolokia);
    }

    @Override
    @SuppressWarnings("unchecked")
    public Object getHandler() {
        Handler<RoutingContext> inner = (Handler<RoutingContext>) jolokia.getHandler();
        return (Handler<RoutingContext>) context -> {
            String origin = context.request().getHeader("Origin");
            String referer = context.request().getHeader("Referer");
            if (origin != null || referer != null) {
                context.response().setStatusCode(403).putHeader("Content-Type", "application/json")
                        .end("{\"status\":403,\"error\":\"Blockferry's Jolokia refuses requests from web pages (this "
                                + "one names an origin): use Hawtio (bin/hawtio) or a client that sends no Origin or "
                                + "Referer header\"}");
                return;
            }
            inner.handle(context);
        };
    }
}
