// The report form's photo and location part (templates/_report_where.html) and the incident
// page's photo form (_photos.html). Everything here the server checks again: this only spares
// a phone the upload of a photo that would be refused, and narrows the choices.
(function () {
  "use strict";

  // A photo larger than the limit is refused before it is sent: the message shows beside the
  // field and the choice is cleared, everything else typed stays.
  function checkSize(input) {
    var error = document.getElementById(input.id + "-error");
    var file = input.files && input.files[0];
    var tooLarge = file && file.size > Number(input.dataset.photoLimit);
    if (error) {
      error.textContent = tooLarge ? input.dataset.tooLarge : "";
      error.hidden = !tooLarge;
    }
    if (tooLarge) {
      input.value = "";
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", input.id + "-error");
    } else {
      input.removeAttribute("aria-invalid");
    }
  }

  // Only the chosen micro-grid's buildings are offered; a unit list follows the building.
  function narrowBuildings(form) {
    var grid = form.querySelector("#micro_grid_code");
    var building = form.querySelector("[data-buildings]");
    if (!grid || !building) return;
    building.querySelectorAll("optgroup").forEach(function (group) {
      var mine = group.dataset.microGrid === grid.value;
      group.hidden = !mine;
      group.disabled = !mine;
    });
    var chosen = building.selectedOptions[0];
    if (chosen && chosen.parentElement.disabled) building.value = "";
    fillUnits(form);
  }

  function fillUnits(form) {
    var building = form.querySelector("[data-buildings]");
    var list = form.querySelector("#unit-choices");
    if (!building || !list) return;
    var chosen = building.selectedOptions[0];
    var units = chosen && chosen.dataset.units ? chosen.dataset.units.split("|") : [];
    list.replaceChildren.apply(list, units.map(function (name) {
      var option = document.createElement("option");
      option.value = name;
      return option;
    }));
  }

  // Where a tile server is configured: the pin's tile, with the pin on it (Web Mercator).
  function showPin(pin) {
    var lat = parseFloat(pin.querySelector("#latitude").value);
    var lon = parseFloat(pin.querySelector("#longitude").value);
    var map = pin.querySelector("[data-map]");
    if (isNaN(lat) || isNaN(lon) || Math.abs(lat) > 85 || Math.abs(lon) > 180) {
      map.hidden = true;
      return;
    }
    var z = 17, n = Math.pow(2, z), rad = lat * Math.PI / 180;
    var x = (lon + 180) / 360 * n;
    var y = (1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2 * n;
    var url = pin.dataset.mapTiles.replace("{z}", z).replace("{x}", Math.floor(x))
      .replace("{y}", Math.floor(y));
    pin.querySelector("[data-map-tile]").src = url;
    var marker = pin.querySelector("[data-map-marker]");
    marker.style.left = ((x % 1) * 100) + "%";
    marker.style.top = ((y % 1) * 100) + "%";
    map.hidden = false;
  }

  function wire(root) {
    root.querySelectorAll("input[type=file][data-photo-limit]").forEach(function (input) {
      input.addEventListener("change", function () { checkSize(input); });
    });
    var form = root.querySelector("[data-where]");
    form = form && form.closest("form");
    if (form) {
      var grid = form.querySelector("#micro_grid_code");
      if (grid) grid.addEventListener("change", function () { narrowBuildings(form); });
      var building = form.querySelector("[data-buildings]");
      building.addEventListener("change", function () { fillUnits(form); });
      narrowBuildings(form);
    }
    root.querySelectorAll("[data-map-tiles]").forEach(function (pin) {
      pin.querySelectorAll("#latitude, #longitude").forEach(function (input) {
        input.addEventListener("change", function () { showPin(pin); });
      });
      var locate = pin.querySelector("[data-locate]");
      if (locate && navigator.geolocation) {
        locate.addEventListener("click", function () {
          navigator.geolocation.getCurrentPosition(function (position) {
            pin.querySelector("#latitude").value = position.coords.latitude.toFixed(6);
            pin.querySelector("#longitude").value = position.coords.longitude.toFixed(6);
            showPin(pin);
          });
        });
      } else if (locate) {
        locate.hidden = true;
      }
      showPin(pin);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { wire(document); });
  } else {
    wire(document);
  }
})();
