import { externalReferences, stripAnalytics } from '../../scripts/build-report';
import { expect, test } from '../../fixtures';

// The end of an index.html as Allure 3.18's awesome plugin writes it (the app inlined, single file).
const ALLURE_PAGE = `<!DOCTYPE html>
<html dir="ltr" lang="en">
<head>
    <meta charset="utf-8">
    <title> Async API tests </title>
    <link rel="icon" href="data:image/svg+xml,%3Csvg%3E%3C/svg%3E">
    <link rel="stylesheet" type="text/css" href="data:text/css;base64,Ym9keXt9">
</head>
<body>
    <div id="app"></div>
    <script>
      window.allure = window.allure || {};
    </script>
    <script   src="data:text/javascript;base64,Y29uc29sZS5sb2coMSk="></script>
    <script async src="https://www.googletagmanager.com/gtag/js?id=G-LNDJ3J7WT0"></script>
    <script>
        window.dataLayer = window.dataLayer || [];
        function gtag(){dataLayer.push(arguments);}
        gtag('js', new Date());
        gtag('config', 'G-LNDJ3J7WT0', {
          "report": "awesome",
          "allureVersion": "3.18.0",
          "reportUuid": "0b7c2d7e-3f1a-4c55-9d7e-1f2a3b4c5d6e",
          "single_file": "true"
        });
    </script>
    <script async>
      window.allureReportDataReady = false;
    </script>
</body>
</html>
`;

test('the analytics of an Allure page are stripped, and nothing else', () => {
  expect(externalReferences(ALLURE_PAGE)).toEqual([
    '<script src="https://www.googletagmanager.com/gtag/js?id=G-LNDJ3J7WT0">',
    'the analytics host googletagmanager.com',
    'an analytics snippet (gtag/dataLayer)',
  ]);
  const stripped = stripAnalytics(ALLURE_PAGE);
  expect(externalReferences(stripped)).toEqual([]);
  expect(stripped).not.toContain('G-LNDJ3J7WT0');
  expect(stripped).toContain('<script   src="data:text/javascript;base64,Y29uc29sZS5sb2coMSk="></script>');
  expect(stripped).toContain('window.allure = window.allure || {};');
  expect(stripped).toContain('window.allureReportDataReady = false;');
  // Stripping twice changes nothing: the build keeps working once Allure leaves the analytics out.
  expect(stripAnalytics(stripped)).toBe(stripped);
});

test('a page that would load anything from another host fails the check', () => {
  const page = (tag: string) => ALLURE_PAGE.replace('<div id="app"></div>', `<div id="app"></div>\n${tag}`);
  const references = (tag: string) => externalReferences(stripAnalytics(page(tag)));
  expect(references('<script src="https://cdn.example.com/app.js"></script>')).toEqual([
    '<script src="https://cdn.example.com/app.js">',
  ]);
  expect(references("<script defer src='//cdn.example.com/app.js'></script>")).toEqual([
    '<script src="//cdn.example.com/app.js">',
  ]);
  expect(references('<link rel="stylesheet" href="http://fonts.example.com/font.css">')).toEqual([
    '<link href="http://fonts.example.com/font.css">',
  ]);
  expect(references('<style>@import url("https://fonts.example.com/a.css");</style>')).toEqual([
    'url(https://fonts.example.com/a.css)',
  ]);
  expect(references('<img src="https://www.google-analytics.com/collect?v=1">')).toEqual([
    '<img src="https://www.google-analytics.com/collect?v=1">',
    'the analytics host google-analytics.com',
  ]);
  // A link the reader may follow is no request when the page opens.
  expect(references('<a href="https://allurereport.org">Powered by Allure</a>')).toEqual([]);
});
