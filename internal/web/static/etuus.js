// etuus progressive enhancement. Every page works without this file.
"use strict";
