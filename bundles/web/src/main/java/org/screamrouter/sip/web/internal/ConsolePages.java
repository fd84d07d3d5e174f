package org.screamrouter.sip.web.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import javax.servlet.Servlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.osgi.service.component.annotations.Component;

/**
 * The console's page ({@code /console/}): one HTML page, its style sheet and script, from this bundle's {@code console}
 * folder; nothing else is served. The page talks only to {@code /api/} of the same origin, so a Content-Security-Policy
 * of {@code 'self'} holds it, and it may not be framed.
 */
@Component(service = Servlet.class, property = {
    "osgi.http.whiteboard.servlet.pattern=" + ConsolePages.PREFIX + "/*",
    "osgi.http.whiteboard.servlet.name=screamrouter-web-console"
})
public class ConsolePages extends HttpServlet {
    private static final long serialVersionUID = 1L;
    static final String PREFIX = "/console";
    private static final Map<String, String> FILES = Map.of(
            "/", "text/html; charset=utf-8",
            "/console.css", "text/css; charset=utf-8",
            "/console.js", "text/javascript; charset=utf-8");

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String path = req.getPathInfo();
        if (path == null) {
            resp.sendRedirect(req.getContextPath() + PREFIX + "/");
            return;
        }
        String type = FILES.get(path);
        if (type == null) {
            resp.sendError(404);
            return;
        }
        String resource = "console" + (path.equals("/") ? "/index.html" : path);
        try (InputStream in = ConsolePages.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                resp.sendError(404);
                return;
            }
            resp.setContentType(type);
            resp.setHeader("Cache-Control", "no-cache");
            resp.setHeader("X-Content-Type-Options", "nosniff");
            resp.setHeader("X-Frame-Options", "DENY");
            resp.setHeader("Referrer-Policy", "no-referrer");
            resp.setHeader("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
            in.transferTo(resp.getOutputStream());
        }
    }
}
