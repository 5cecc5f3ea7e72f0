// The catalogue with JavaScript: on a wide screen the filter panel stands open beside the results and a
// filter applies as it changes (the panel says so first, WCAG 3.2.2), with the focus back on the changed
// option after the reload. On a phone the filters apply with their button, as they do without this file.
// Empty fields stay out of the address, so a shared link is short.
(function () {
    "use strict";
    document.documentElement.classList.add("lms-js");
    var form = document.getElementById("catalogue-form");
    if (!form) { return; }
    var panel = document.getElementById("filters");
    var sort = document.getElementById("id_sort");
    var wide = window.matchMedia("(min-width: 60rem)");
    var FOCUS_KEY = "lms-catalogue-focus";

    function layout() {
        if (wide.matches) { panel.open = true; }
        document.documentElement.classList.toggle("lms-live", wide.matches);
    }
    layout();
    wide.addEventListener("change", layout);

    var focusId = window.sessionStorage && sessionStorage.getItem(FOCUS_KEY);
    if (focusId) {
        sessionStorage.removeItem(FOCUS_KEY);
        var target = document.getElementById(focusId);
        if (target) { panel.open = true; target.focus(); }
    }

    function submit(field) {
        if (window.sessionStorage && field.id) { sessionStorage.setItem(FOCUS_KEY, field.id); }
        if (typeof form.requestSubmit === "function") { form.requestSubmit(); } else { form.submit(); }
    }

    form.addEventListener("submit", function () {
        Array.prototype.forEach.call(form.elements, function (field) {
            if (field.name && field.value === "" && field.type !== "submit") { field.disabled = true; }
        });
        if (sort && sort.selectedIndex === 0) { sort.disabled = true; }  // the default order
    });
    form.addEventListener("change", function (event) {
        var field = event.target;
        // The search waits for Enter; a date for the button, as it is typed a part at a time.
        if (wide.matches && field.name && field.name !== "q" && field.type !== "date") { submit(field); }
    });
    // Back from a later page the browser may restore the fields as they were sent: enable them again.
    window.addEventListener("pageshow", function () {
        Array.prototype.forEach.call(form.elements, function (field) { field.disabled = false; });
    });
}());
