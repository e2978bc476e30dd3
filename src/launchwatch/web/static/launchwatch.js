// Optional enhancement: click a column header to sort a table (tablesort, bundled from npm).
// Every page works without this file.
document.querySelectorAll("table.sortable").forEach(function (table) {
  if (window.Tablesort && table.tHead) {
    new window.Tablesort(table);
  }
});
