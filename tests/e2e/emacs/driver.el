;;; driver.el --- what an Emacs user does and sees, after the README's Eglot snippet  -*- lexical-binding: t -*-

;; run.sh starts batch Emacs, activates the installed packages (Debian's elpa-*) as a normal
;; start does, loads the README's snippets as the init file (the dump placeholder replaced by a
;; test dump, `heaplens' on PATH being the built server), then this file. The snippet alone connects Eglot; this driver only visits files and asks what
;; a user asks (the hover ElDoc shows, Flymake's diagnostics, the load command), reading the
;; server's messages where the user reads them: *Messages*.
;;
;; Batch Emacs has no command loop, so the `post-command-hook' that `eglot-ensure' leaves for the
;; end of the command that visited the file is run by hand, once, as the command loop would.
;; Every wait is a deadline over `accept-process-output'; nothing sleeps for a fixed time.
;; Waits default to 10 seconds; see hl-load-timeout and hl-message-timeout.
;;
;; Environment:
;;   TEST_FILE       file visited                                         [required]
;;   DUMP            the dump the snippet loads at start                  [required]
;;   MODE            major mode the file must open in (go-mode, raku-mode) [required]
;;   HOVERS          "line:col:text|...": 1-based line, 0-based column, text the hover must
;;                   contain; the first is polled until the dump has loaded
;;   DIAG_LINES      "53,...": lines that must carry a heaplens Flymake diagnostic
;;   LOAD_DUMP       if set, `heaplens-load-dump' (README) loads it; it must then be listed and
;;   LOAD_DIAG       announced, and a diagnostic on LOAD_DIAG's line ("line:text") must contain text
;;   UNLOAD_SCRIPT   the README's unload line for LOAD_DUMP; then only DUMP must be listed
;;   FORM_SCRIPT     a README load line to evaluate, then FORM_HOVER ("line:col:text") must appear
;;   FORM_HOVER
;;   DEFINE_MODE     if set, a major mode of that name (derived from prog-mode) for FILE_EXT
;;   FILE_EXT        files, as a package such as raku-mode from MELPA would provide
;;   LOAD_TIMEOUT    seconds for a load to show in a hover (default 20); other waits 10

(require 'cl-lib)
(require 'subr-x)

(defvar hl-failures 0)
(defun hl-say (fmt &rest args) (princ (concat (apply #'format fmt args) "\n")))
(defun hl-ok (cond what &optional detail)
  (if cond
      (hl-say "ok   %s" what)
    (cl-incf hl-failures)
    (hl-say "FAIL %s%s" what (if detail (format ": %s" (truncate-string-to-width (format "%s" detail) 1500)) "")))
  cond)
(defun hl-env (name &optional default)
  (let ((v (getenv name))) (if (and v (not (string-empty-p v))) v default)))
(defconst hl-timeout 10)
(defconst hl-load-timeout (string-to-number (hl-env "LOAD_TIMEOUT" "20")))
;; For the "loaded" message, once a hover or the summary has shown the dump loaded: the server
;; announces a load when it finishes, so the message is already on its way.
(defconst hl-message-timeout 5)

(defun hl-wait (seconds pred)
  "Process output and timers until PRED is non-nil or SECONDS pass; return PRED's last value."
  (let ((deadline (+ (float-time) seconds)) v)
    (while (and (not (setq v (funcall pred))) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    v))

(defun hl-spot (s)
  (unless (string-match "\\`\\([0-9]+\\):\\([0-9]+\\):\\(.+\\)\\'" s) (error "bad position spec %s" s))
  (list (string-to-number (match-string 1 s)) (string-to-number (match-string 2 s)) (match-string 3 s)))

(defun hl-messages () (with-current-buffer (messages-buffer) (buffer-string)))
(defun hl-loaded-message (name)
  "The *Messages* line in which the server announced that NAME has loaded, if any."
  (let ((case-fold-search nil))
    (cl-find-if (lambda (line) (string-match-p (regexp-quote (concat "heaplens: loaded " name)) line))
                (split-string (hl-messages) "\n"))))

(defun hl-goto (line col)
  (goto-char (point-min))
  (forward-line (1- line))
  (forward-char col))

(defun hl-hover (line col)
  "The text ElDoc would show for point at LINE, COL: Eglot's hover documentation function's answer."
  (save-excursion
    (hl-goto line col)
    (let ((got nil))
      (eglot-hover-eldoc-function (lambda (info &rest _) (setq got (or info ""))))
      (hl-wait 2 (lambda () got))
      (or got ""))))

(defun hl-poll-hover (spot seconds)
  (pcase-let* ((`(,line ,col ,text) spot) (shown ""))
    (hl-wait seconds (lambda () (string-search text (setq shown (hl-hover line col)))))
    (hl-ok (string-search text shown) (format "hover on line %d contains \"%s\"" line text) shown)
    shown))

(defun hl-heaplens-diagnostics (line)
  "Flymake's diagnostics from heaplens on LINE (Eglot prefixes each with the server's source)."
  (save-excursion
    (hl-goto line 0)
    (cl-remove-if-not (lambda (d) (string-prefix-p "heaplens" (flymake-diagnostic-text d)))
                      (flymake-diagnostics (line-beginning-position) (line-end-position)))))

(defun hl-summary (server)
  (condition-case e (jsonrpc-request server :heaplens/summary nil) (error (list :error e))))

(defun hl-listed (server name)
  (cl-find-if (lambda (d) (equal (file-name-nondirectory (or (plist-get d :path) "")) name))
              (plist-get (hl-summary server) :dumps)))

(cl-defun hl-main ()
  (dolist (k '("TEST_FILE" "DUMP" "MODE"))
    (unless (hl-env k) (error "environment variable %s is required" k)))
  (when-let ((mode (hl-env "DEFINE_MODE")))
    (eval `(define-derived-mode ,(intern mode) prog-mode ,mode))
    (add-to-list 'auto-mode-alist (cons (concat "\\." (hl-env "FILE_EXT") "\\'") (intern mode))))
  (let* ((file (hl-env "TEST_FILE"))
         (dump-name (file-name-nondirectory (hl-env "DUMP")))
         (hovers (mapcar #'hl-spot (split-string (hl-env "HOVERS" "") "|" t)))
         server)
    (find-file file)
    (hl-ok (eq major-mode (intern (hl-env "MODE"))) (format "%s opens in %s" (file-name-nondirectory file) (hl-env "MODE")) major-mode)
    (hl-ok (null (project-current)) "no project.el project (no version control) above the file" (project-current))
    (run-hooks 'post-command-hook)  ; the end of the command that visited the file: eglot-ensure connects
    (setq server (hl-wait hl-timeout (lambda () (and (bound-and-true-p eglot--managed-mode) (eglot-current-server)))))
    (unless (hl-ok server "eglot-ensure (from the mode hook) connected heaplens and manages the buffer"
                   (with-current-buffer (messages-buffer) (buffer-string)))
      (cl-return-from hl-main))
    (hl-ok (equal (file-name-as-directory (project-root (eglot--project server))) (file-name-as-directory default-directory))
           "its root is the file's directory" (project-root (eglot--project server)))

    (cl-loop for spot in hovers for first = t then nil
             do (let ((shown (hl-poll-hover spot (if first hl-load-timeout 2))))
                  (when first (hl-say "     hover: %s" (car (split-string shown "\n"))))))
    (hl-wait hl-message-timeout (lambda () (hl-loaded-message dump-name)))
    (hl-ok (hl-loaded-message dump-name)
           (format "the server's \"heaplens: loaded %s\" reached *Messages*" dump-name) (hl-messages))

    (dolist (line (mapcar #'string-to-number (split-string (hl-env "DIAG_LINES" "") "," t)))
      (let ((here (lambda () (hl-heaplens-diagnostics line))))
        (hl-wait hl-timeout here)
        (let ((d (car (funcall here))))
          (when (hl-ok d (format "a Flymake diagnostic on line %d" line)
                       (mapcar (lambda (d) (list (line-number-at-pos (flymake-diagnostic-beg d)) (flymake-diagnostic-text d)))
                               (flymake-diagnostics)))
            (hl-say "     diagnostic: %s" (flymake-diagnostic-text d))))))

    (when-let ((load (hl-env "LOAD_DUMP")))
      (let ((name (file-name-nondirectory load)))
        (heaplens-load-dump load)
        (hl-ok (hl-wait hl-load-timeout (lambda () (hl-listed server name)))
               (format "after heaplens-load-dump heaplens/summary lists %s" name) (hl-summary server))
        (hl-wait hl-message-timeout (lambda () (hl-loaded-message name)))
        (hl-ok (hl-loaded-message name) (format "the server's \"heaplens: loaded %s\" reached *Messages*" name) (hl-messages))
        (when-let ((spec (hl-env "LOAD_DIAG")))
          (unless (string-match "\\`\\([0-9]+\\):\\(.+\\)\\'" spec) (error "bad LOAD_DIAG %s" spec))
          (let* ((line (string-to-number (match-string 1 spec))) (text (match-string 2 spec))
                 (said (lambda () (cl-find-if (lambda (d) (string-search text (flymake-diagnostic-text d)))
                                              (hl-heaplens-diagnostics line)))))
            (hl-wait hl-timeout said)
            (hl-ok (funcall said) (format "then a Flymake diagnostic on line %d names %s" line text)
                   (mapcar #'flymake-diagnostic-text (hl-heaplens-diagnostics line)))))))

    (when-let ((unload (hl-env "UNLOAD_SCRIPT")))
      (hl-say "     evaluating: %s" (string-trim (with-temp-buffer (insert-file-contents unload) (buffer-string))))
      (load unload nil t t)
      (let ((names (lambda () (mapcar (lambda (d) (file-name-nondirectory (or (plist-get d :path) "")))
                                      (plist-get (hl-summary server) :dumps)))))
        (hl-ok (hl-wait hl-timeout (lambda () (equal (funcall names) (list dump-name))))
               (format "after the unload line heaplens/summary lists only %s" dump-name) (funcall names))))

    (when-let ((form (hl-env "FORM_SCRIPT")))
      (hl-say "     evaluating: %s" (string-trim (with-temp-buffer (insert-file-contents form) (buffer-string))))
      (load form nil t t)
      (hl-poll-hover (hl-spot (hl-env "FORM_HOVER")) hl-load-timeout))

    ;; eglot-shutdown signals an error unless `shutdown' is answered in time; it then sends `exit'
    ;; and jsonrpc.el deletes the process at once (Eglot 1.9 does not wait for it to exit).
    (let ((proc (jsonrpc--process server))
          (err (condition-case e (progn (eglot-shutdown server) nil) (error e))))
      (hl-ok (null err) "eglot-shutdown: the server answered shutdown" err)
      (hl-ok (hl-wait hl-timeout (lambda () (not (process-live-p proc)))) "the server process is gone"))))

(condition-case err
    (hl-main)
  (error (hl-ok nil "driver error" (error-message-string err))))
(if (> hl-failures 0)
    (progn (hl-say "emacs: %d check(s) failed" hl-failures)
           (with-current-buffer (messages-buffer)
             (hl-say "--- *Messages* ---\n%s" (buffer-string)))
           (when-let ((s (ignore-errors (eglot-current-server))))
             (ignore-errors (with-current-buffer (jsonrpc-stderr-buffer s) (hl-say "--- server stderr ---\n%s" (buffer-string)))))
           (kill-emacs 1))
  (hl-say "emacs: all checks passed")
  (kill-emacs 0))
