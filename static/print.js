// Optional: open the print dialog when the print page loads. The page works without it.
window.addEventListener("load", function () { window.print(); });
