/* Hold and rest timer for the patient's plan.
 *
 * Works offline once the page is loaded: everything it needs is in the page's
 * data attributes. Each exercise's timer runs through its sets: per repetition
 * a hold countdown (when the dose has a hold) with a short pause to relax, then
 * a rest countdown between sets. At every end it signals: vibration where the
 * phone allows, a short beep, a visible colour change and a spoken status
 * (aria-live).
 * Without JavaScript the timers stay hidden and the page still works.
 */
(function () {
  "use strict";

  var RELAX_SECONDS = 2;

  function texts() {
    var node = document.getElementById("plan-texts");
    return node ? node.dataset : {};
  }

  function fill(template, values) {
    return String(template || "").replace(/\{(\w+)\}/g, function (match, key) {
      return key in values ? values[key] : match;
    });
  }

  // A short beep where the phone cannot vibrate (iPhones, tablets). The audio
  // context may only start after a tap, so the Start button creates it.
  var audio = null;

  function prepareSound() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!audio && Context) {
      try { audio = new Context(); } catch (error) { audio = null; }
    }
  }

  function beep() {
    if (!audio) { return; }
    try {
      var oscillator = audio.createOscillator();
      var gain = audio.createGain();
      oscillator.frequency.value = 880;
      gain.gain.setValueAtTime(0.2, audio.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.6);
      oscillator.connect(gain);
      gain.connect(audio.destination);
      oscillator.start();
      oscillator.stop(audio.currentTime + 0.6);
    } catch (error) { /* sound is a bonus: the colour change still shows */ }
  }

  function signal(timer) {
    if (navigator.vibrate) {
      try { navigator.vibrate([300, 150, 300]); } catch (error) { /* not allowed: visible only */ }
    }
    beep();
    timer.classList.remove("plan-timer-signal");
    void timer.offsetWidth; // restart the flash animation
    timer.classList.add("plan-timer-signal");
  }

  function Timer(root) {
    this.root = root;
    this.sets = Math.max(1, parseInt(root.dataset.sets, 10) || 1);
    this.reps = Math.max(1, parseInt(root.dataset.reps, 10) || 1);
    this.hold = Math.max(0, parseInt(root.dataset.hold, 10) || 0);
    this.rest = Math.max(0, parseInt(root.dataset.rest, 10) || 0);
    this.status = root.querySelector("[data-timer-status]");
    this.count = root.querySelector("[data-timer-count]");
    this.startButton = root.querySelector("[data-timer-start]");
    this.stopButton = root.querySelector("[data-timer-stop]");
    this.t = texts();
    this.interval = null;
    this.reset();
    this.startButton.addEventListener("click", this.onStart.bind(this));
    this.stopButton.addEventListener("click", this.reset.bind(this));
    root.hidden = false;
  }

  Timer.prototype.setLabel = function () {
    return fill(this.t.set, { set: this.set, sets: this.sets });
  };

  Timer.prototype.say = function (text) {
    this.status.textContent = text;
  };

  Timer.prototype.clear = function () {
    if (this.interval) { window.clearInterval(this.interval); }
    this.interval = null;
  };

  Timer.prototype.reset = function () {
    this.clear();
    this.set = 1;
    this.rep = 1;
    this.waitingForSetDone = false;
    this.root.dataset.phase = "idle";
    this.root.classList.remove("plan-timer-signal");
    this.count.textContent = "";
    this.say(this.sets > 1 ? this.setLabel() : "");
    this.startButton.textContent = this.t.start;
    this.startButton.hidden = false;
    this.stopButton.hidden = true;
  };

  Timer.prototype.countdown = function (phase, seconds, label, then) {
    var self = this;
    var end = Date.now() + seconds * 1000;
    this.clear();
    this.root.dataset.phase = phase;
    this.root.classList.remove("plan-timer-signal");
    this.say(label);
    this.count.textContent = String(seconds);
    this.interval = window.setInterval(function () {
      var left = Math.ceil((end - Date.now()) / 1000);
      if (left > 0) {
        self.count.textContent = String(left);
        return;
      }
      self.clear();
      self.count.textContent = "0";
      then();
    }, 200);
  };

  Timer.prototype.onStart = function () {
    prepareSound();
    this.stopButton.hidden = false;
    this.startButton.hidden = true;
    if (this.waitingForSetDone) {
      this.waitingForSetDone = false;
      this.afterSet();
    } else if (this.hold > 0) {
      this.rep = 1;
      this.holdRep();
    } else {
      // No hold: the patient does the repetitions at their own pace.
      this.root.dataset.phase = "work";
      this.count.textContent = "";
      this.say(this.setLabel() + ": " + fill(this.t.work, { reps: this.reps }));
      this.waitingForSetDone = true;
      this.startButton.textContent = this.t.setDone;
      this.startButton.hidden = false;
    }
  };

  Timer.prototype.holdRep = function () {
    var self = this;
    var label = this.t.hold;
    if (this.sets > 1 || this.reps > 1) {
      label = this.setLabel() + ", " + fill(this.t.rep, { rep: this.rep, reps: this.reps }) + ": " + this.t.hold;
    }
    this.countdown("hold", this.hold, label, function () {
      if (self.rep < self.reps) {
        self.rep += 1;
        self.countdown("relax", RELAX_SECONDS, self.t.relax, self.holdRep.bind(self));
      } else {
        self.afterSet();
      }
    });
  };

  Timer.prototype.afterSet = function () {
    var self = this;
    if (this.set >= this.sets) {
      this.finish();
      return;
    }
    var nextSet = function () {
      self.set += 1;
      self.rep = 1;
      self.root.dataset.phase = "ready";
      self.count.textContent = "";
      self.say(fill(self.t.next, { set: self.set, sets: self.sets }));
      self.startButton.textContent = fill(self.t.next, { set: self.set, sets: self.sets });
      self.startButton.hidden = false;
      signal(self.root);
    };
    if (this.rest > 0) {
      this.countdown("rest", this.rest, this.t.rest, nextSet);
    } else {
      nextSet();
    }
  };

  Timer.prototype.finish = function () {
    this.clear();
    this.root.dataset.phase = "finished";
    this.count.textContent = "";
    this.say(this.t.finished);
    this.startButton.textContent = this.t.start;
    this.startButton.hidden = false;
    this.stopButton.hidden = true;
    this.set = 1;
    this.rep = 1;
    signal(this.root);
  };

  function init() {
    var timers = document.querySelectorAll("[data-timer]");
    for (var i = 0; i < timers.length; i += 1) {
      if (!timers[i].dataset.timerReady) {
        timers[i].dataset.timerReady = "1";
        new Timer(timers[i]);
      }
    }
  }

  document.addEventListener("DOMContentLoaded", init);
  document.addEventListener("htmx:load", init);
})();
