/**
 * A deliberately broken site: each page carries exactly the faults its name says, so the audit
 * spec can tell a finding that belongs from one that does not.
 */
export const BROKEN_SITE: Record<string, string> = {
  'styles.css': 'body { font-family: sans-serif; }\n',
  // No <title>; two h1 elements.
  'index.html': `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="description" content="A site with faults on purpose">
<link rel="stylesheet" href="styles.css">
</head>
<body>
<main>
<h1>Welcome</h1>
<h1>Welcome again</h1>
<p><a href="about.html">About us</a></p>
</main>
</body>
</html>
`,
  // An img without alt; a div inside a p; a link to a page that does not exist; h2 to h4.
  'about.html': `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>About | Broken</title>
<meta name="description" content="About a site with faults on purpose">
<link rel="stylesheet" href="styles.css">
</head>
<body>
<main>
<h1>About</h1>
<img src="logo.svg" width="100" height="100">
<p>Intro <div>block in a paragraph</div></p>
<h2>Team</h2>
<h4>Founders</h4>
<p><a href="team.html">Meet the team</a></p>
</main>
</body>
</html>
`,
  'logo.svg':
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10"/></svg>\n',
};
