/** Drops every test schema (t_…) of the test database; test/run.sh runs it before and after the suite. */
import { dropAllTestSchemas } from './app.ts';

const dropped = await dropAllTestSchemas();
if (dropped > 0) console.log(`dropped ${dropped} test schemas`);
