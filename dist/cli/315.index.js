export const id = 315;
export const ids = [315];
export const modules = {

/***/ 6315:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   appAuth: () => (/* binding */ appAuth)
/* harmony export */ });
/* harmony import */ var _octokit_auth_app__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(8220);
/* harmony import */ var universal_github_app_jwt__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(2438);
/**
 * Octokit's auth strategy for a GitHub App: JSON Web Tokens signed with GitHub's clock and
 * masked before use, installation tokens made from them. Loaded (a chunk of its own) by the
 * first request of an app's client: a run with a token never evaluates @octokit/auth-app, its
 * OAuth packages or the JWT signer.
 */


/** `createAppAuth` for the app, given Octokit's own strategy options (its request and log). */
function appAuth(octokitOptions, app, context) {
    return (0,_octokit_auth_app__WEBPACK_IMPORTED_MODULE_1__/* .createAppAuth */ .K)({
        ...octokitOptions,
        appId: /^\d+$/.test(app.appId) ? Number(app.appId) : app.appId,
        // Sign with GitHub's clock, not the runner's, and mask every JWT before it is used.
        createJwt: async (appId, timeDifference) => {
            const now = context.clock.known ? Math.floor(context.clock.now() / 1000) : Math.floor(Date.now() / 1000) + (timeDifference ?? 0);
            const jwt = await (0,universal_github_app_jwt__WEBPACK_IMPORTED_MODULE_0__/* ["default"] */ .A)({ id: appId, privateKey: app.privateKey, now });
            context.mask(jwt.token);
            return { jwt: jwt.token, expiresAt: new Date(jwt.expiration * 1000).toISOString() };
        }
    });
}


/***/ })

};

//# sourceMappingURL=315.index.js.map