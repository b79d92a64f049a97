// CloudFront Function (cloudfront-js-2.0), viewer request, on both behaviours of the web distribution.
// infra/build.py inlines this file into the template's WebViewerRequestFunction; tests/infra runs it with node.
//
// The site root and "/app" lead to the app ("/app/"), so the printed URL and a typed domain both work
// (their query strings are dropped: nothing links there with one).
// The web app routes in the browser (history mode, base "/app/"): a reload or a shared link of
// "/app/cases/<id>" must get index.html, while a real file ("/app/assets/index-1a2b3c4d.js",
// "/app/config.json") must reach the bucket as asked, so that a missing one is an error and not
// the app's page. A last segment with a dot is a file; the app's routes have none.
// The API's paths ("/cases", "/openapi.json"...) pass unchanged.

var APP = '/app/';
var INDEX = '/app/index.html';

function redirect(location) {
    return {
        statusCode: 302,
        statusDescription: 'Found',
        headers: { location: { value: location }, 'cache-control': { value: 'no-store' } },
    };
}

function handler(event) {
    var request = event.request;
    var uri = request.uri;
    if (uri === '/' || uri === '/app') {
        return redirect(APP);
    }
    if (uri.indexOf(APP) !== 0) {
        return request;
    }
    var last = uri.slice(uri.lastIndexOf('/') + 1);
    if (last.indexOf('.') === -1) {
        request.uri = INDEX;
    }
    return request;
}
