package io.blockferry.transport;

import javax.net.ssl.X509TrustManager;
import org.apache.camel.support.jsse.SSLContextParameters;
import org.apache.camel.support.jsse.TrustManagersParameters;

/** camel-http's TLS settings for a site with its own CA: trust exactly what the given manager trusts. */
public final class CamelHttpTls {

    private CamelHttpTls() {
    }

    public static SSLContextParameters trusting(X509TrustManager trust) {
        TrustManagersParameters managers = new TrustManagersParameters();
        managers.setTrustManager(trust);
        SSLContextParameters parameters = new SSLContextParameters();
        parameters.setTrustManagers(managers);
        return parameters;
    }
}
